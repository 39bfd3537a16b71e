set terminal pngcairo size 1370,460 font 'sans,10' noenhanced
set output '/work/main/results/reference/plots/summary.png'
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
set xrange [-0.6:10.6]
set xtics rotate by -25
plot '/work/main/results/reference/plots/summary.dat' using 2:xtic(1) title 'Hugin throughput' lc rgb '#4477aa', '' using 3 title 'Hugin p99 latency' lc rgb '#cc6677', '' using 4 title 'OpenTelemetry throughput' lc rgb '#88ccee', '' using 5 title 'OpenTelemetry p99 latency' lc rgb '#ddaa99', '' using ($0 + -0.3):2:(sprintf('%.2f', $2)) with labels offset 0,0.6 notitle, '' using ($0 + -0.1):3:(sprintf('%.2f', $3)) with labels offset 0,0.6 notitle, '' using ($0 + 0.1):4:(sprintf('%.2f', $4)) with labels offset 0,0.6 notitle, '' using ($0 + 0.3):5:(sprintf('%.2f', $5)) with labels offset 0,0.6 notitle, 1 with lines dt 2 lw 2 lc rgb 'black' title '1.0 = no change'
