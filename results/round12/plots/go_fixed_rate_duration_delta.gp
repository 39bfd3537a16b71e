set terminal pngcairo size 900,420 font 'sans,10' noenhanced
set output '/work/main/results/round12/plots/go_fixed_rate_duration_delta.png'
set grid ytics
set title 'go_fixed_rate: span duration - handler duration (µs), n=209712'
set xlabel 'delta (µs)'
set ylabel 'requests'
set style fill solid 0.6
plot '/work/main/results/round12/plots/go_fixed_rate_duration_delta.dat' using 1:2 with boxes notitle lc rgb '#228833'
