set terminal pngcairo size 900,420 font 'sans,10' noenhanced
set output '/work/main/results/round4/plots/grpc_python_duration_delta.png'
set grid ytics
set title 'grpc_python: span duration - handler duration (µs), n=8993'
set xlabel 'delta (µs)'
set ylabel 'requests'
set style fill solid 0.6
plot '/work/main/results/round4/plots/grpc_python_duration_delta.dat' using 1:2 with boxes notitle lc rgb '#228833'
