set terminal pngcairo size 900,420 font 'sans,10' noenhanced
set output '/work/main/results/round12/plots/go_hello_overhead.png'
set grid ytics
set multiplot layout 1,2 title 'go_hello: baseline vs instrumented (median of runs)'
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
set xrange [-0.7:5.7]
set title 'throughput (req/s)'
plot '/work/main/results/round12/plots/go_hello_overhead.dat' using 1:3:xtic(2) with boxes notitle lc rgb '#4477aa'
set title 'p99 latency (ms)'
plot '/work/main/results/round12/plots/go_hello_overhead.dat' using 1:4:xtic(2) with boxes notitle lc rgb '#cc6677'
unset multiplot
