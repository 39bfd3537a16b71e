set terminal pngcairo size 900,420 font 'sans,10' noenhanced
set output '/work/main/results/reference/plots/overload_loss_vs_rate.png'
set grid ytics
set title 'overload: loss vs offered rate (ring buffer 65536 B)'
set xlabel 'offered rate (req/s)'
set ylabel '% of requests'
set key top right
plot '/work/main/results/reference/plots/overload_loss.dat' using 1:2 with linespoints title 'missing spans' lw 2, '/work/main/results/reference/plots/overload_loss.dat' using 1:3 with linespoints title 'kernel drops (events)' lw 2, '/work/main/results/reference/plots/overload_loss.dat' using 1:4 with linespoints title 'silent loss' lw 2
