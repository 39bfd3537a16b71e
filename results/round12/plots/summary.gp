set terminal pngcairo size 700,460 font 'sans,10' noenhanced
set output '/work/main/results/round12/plots/summary.png'
set title 'instrumented / baseline per scenario (first offered rate, median over pairs)'
set grid ytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.75 border -1
set boxwidth 0.9
set yrange [0:*]
set offsets 0,0,graph 0.08,0
set ylabel 'ratio (throughput: higher is better, p99: lower is better)'
set key outside bottom center horizontal
set xrange [-0.6:1.6]
plot '/work/main/results/round12/plots/summary.dat' using 2:xtic(1) title 'Hugin throughput' lc rgb '#4477aa', '' using 3 title 'Hugin p99 latency' lc rgb '#cc6677', '' using ($0 + -0.166667):2:(sprintf('%.2f', $2)) with labels offset 0,0.6 notitle, '' using ($0 + 0.166667):3:(sprintf('%.2f', $3)) with labels offset 0,0.6 notitle, 1 with lines dt 2 lw 2 lc rgb 'black' title '1.0 = no change'
