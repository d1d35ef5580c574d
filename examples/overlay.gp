# overlay.gp: trcompare-plot --data inside your own gnuplot work.
#
# A figure styled by hand (a paper, a report) that takes its numbers from
# the runs through `plot '< trcompare-plot --data …'`: no conversion step,
# no intermediate files.  trcompare-plot writes one gnuplot index block per
# job, in the order of the arguments, each starting with a line of column
# names, so `index 1 using "epoch":"eval_loss"` is "eval loss of the second
# job" whatever else the files hold.
#
#   gnuplot examples/overlay.gp                     # writes overlay.png here
#   gnuplot -e 'out="fig.svg"' examples/overlay.gp  # any terminal gnuplot knows
#   gnuplot -e 'trc="/path/to/trcompare-plot"' examples/overlay.gp
#
# Works from any directory: the runs are found next to this script.  Every
# `'< …'` runs the command again, which costs nothing for these small runs;
# for large inputs write the files once with `trcompare-plot -d DIR` and plot
# DIR/*.dat instead.

if (!exists("trc")) trc = "trcompare-plot"
if (!exists("out")) out = "overlay.png"

# This script's directory, from ARG0 (gnuplot >= 5.0), without a shell.
here = "."
if (exists("ARG0") && ARG0 ne "") {
	cut = 0
	do for [i = 1:strlen(ARG0)] { if (ARG0[i:i] eq "/") { cut = i } }
	if (cut > 1) { here = ARG0[1:cut - 1] }
	if (cut == 1) { here = "/" }
}

# Two runs of the same 350M model, on an epoch axis: two epochs at 3e-4, and
# five epochs on a small set at 5e-4 (the one that overfits).
data = sprintf("< %s --data '%s/runs/qwen-350m-lr3e-4.json' '%s/runs/qwen-350m-lr5e-4-5ep.json'", \
	trc, here, here)

# The output terminal from the file name, as a user would set it by hand.
ext = out[strlen(out) - 3:]
if (ext eq ".svg") { set terminal svg size 900,560 dynamic font "Helvetica,12" } \
else { set terminal pngcairo size 900,560 font "Helvetica,11" }
set output out
set termoption noenhanced

set datafile missing NaN
set title "Where fine-tuning stops helping: eval loss of a 5-epoch run"
set xlabel "epoch"
set ylabel "loss"
set grid lc rgb "#e5e7eb"
set key top right box opaque
set yrange [0.6:3.0]

set xrange [0:5]
set xtics 1
# Epoch boundaries: the 5-epoch run's train loss drops at each (memorising).
do for [e = 1:4] {
	set arrow e from e, graph 0 to e, graph 1 nohead dt 3 lc rgb "#9ca3af"
}

# Find the best eval loss of the overfitting run with stats, and mark it.
stats data index 1 using "epoch":"eval_loss" nooutput
best_y = STATS_min_y
best_x = STATS_pos_min_y
set label 11 sprintf("best eval loss %.3f at epoch %.2f", best_y, best_x) \
	at best_x + 0.08, best_y + 0.75 left tc rgb "#dc2626"
set arrow 11 from best_x + 0.05, best_y + 0.68 to best_x, best_y + 0.06 lc rgb "#dc2626" lw 1.5
set object 12 circle at best_x, best_y size char 0.8 fs empty border lc rgb "#dc2626"

plot data index 0 using "epoch":"train_loss" with lines lw 1 lc rgb "#93c5fd" title "3e-4, 2 epochs: train", \
     data index 0 using "epoch":"eval_loss" with linespoints dt 2 pt 7 ps 0.7 lw 2 lc rgb "#2563eb" title "3e-4, 2 epochs: eval", \
     data index 1 using "epoch":"train_loss" with lines lw 1 lc rgb "#fca5a5" title "5e-4, 5 epochs: train", \
     data index 1 using "epoch":"eval_loss" with linespoints dt 2 pt 7 ps 0.7 lw 2 lc rgb "#dc2626" title "5e-4, 5 epochs: eval"

set output
