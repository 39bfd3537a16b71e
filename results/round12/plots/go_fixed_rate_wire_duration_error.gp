set terminal pngcairo size 900,420 font 'sans,10' noenhanced
set output '/work/main/results/round12/plots/go_fixed_rate_wire_duration_error.png'
set grid ytics
set title 'go_fixed_rate: span duration - wire duration (µs), central 99%, n=174768'
set xlabel 'error (µs)'
set ylabel 'requests'
set style fill solid 0.6
plot '/work/main/results/round12/plots/go_fixed_rate_wire_duration_error.dat' using 1:2 with boxes notitle lc rgb '#aa3377'
