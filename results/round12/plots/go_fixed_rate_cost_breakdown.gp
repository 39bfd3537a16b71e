set terminal pngcairo size 1240,520 font 'sans,10' noenhanced
set output '/work/main/results/round12/plots/go_fixed_rate_cost_breakdown.png'
set grid ytics
set multiplot layout 1,2 title 'go_fixed_rate: cost breakdown (profile runs)'
set title 'agent CPU by stage'
set ylabel 'µs per request'
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set key outside bottom center horizontal
set xtics rotate by -20
set yzeroaxis
plot '/work/main/results/round12/plots/go_fixed_rate_cost_agent.dat' using 2:xtic(1) title columnheader(2) lc rgb '#4477aa', '/work/main/results/round12/plots/go_fixed_rate_cost_agent.dat' using 3 title columnheader(3) lc rgb '#66ccee', '/work/main/results/round12/plots/go_fixed_rate_cost_agent.dat' using 4 title columnheader(4) lc rgb '#228833', '/work/main/results/round12/plots/go_fixed_rate_cost_agent.dat' using 5 title columnheader(5) lc rgb '#ccbb44', '/work/main/results/round12/plots/go_fixed_rate_cost_agent.dat' using 6 title columnheader(6) lc rgb '#ee6677', '/work/main/results/round12/plots/go_fixed_rate_cost_agent.dat' using 7 title columnheader(7) lc rgb '#aa3377', '/work/main/results/round12/plots/go_fixed_rate_cost_agent.dat' using 8 title columnheader(8) lc rgb '#bbbbbb', '/work/main/results/round12/plots/go_fixed_rate_cost_agent.dat' using 9 title columnheader(9) lc rgb '#332288', '/work/main/results/round12/plots/go_fixed_rate_cost_agent.dat' using 10 title columnheader(10) lc rgb '#000000'
set title 'service CPU added vs baseline, by group'
set ylabel 'µs per request'
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set key outside bottom center horizontal
set xtics rotate by -20
set yzeroaxis
plot '/work/main/results/round12/plots/go_fixed_rate_cost_service.dat' using 2:xtic(1) title columnheader(2) lc rgb '#4477aa', '/work/main/results/round12/plots/go_fixed_rate_cost_service.dat' using 3 title columnheader(3) lc rgb '#66ccee', '/work/main/results/round12/plots/go_fixed_rate_cost_service.dat' using 4 title columnheader(4) lc rgb '#228833', '/work/main/results/round12/plots/go_fixed_rate_cost_service.dat' using 5 title columnheader(5) lc rgb '#ccbb44'
unset multiplot
