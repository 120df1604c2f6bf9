# Vitis HLS flow for the Spiking-UNet HLS C++ (hls/README.md): C-sim, C synthesis, C/RTL co-simulation, IP export.
#
# The top is the external-memory frame top snn_frame_top (golden/backends/hls/frame_top.py, hls/nnet_frame.h).
# From the repository root, for a full-network export (the top is generated from its manifest):
#   .venv/bin/python -m golden csim --export DIR --generate-only   # writes build/csim/<DIR name>/snn_frame_top.*
#   .venv/bin/python -m golden csim --export DIR                    # also leaves frame0_<H>x<W>.image.bin there
#   (add --engines E --lanes P for the top's ENGINES column strips and LANES lanes, hls/README.md)
#   vitis_hls -f hls/run_hls.tcl -tclargs export=DIR [part=...] [clock=5] [steps=csim,csynth,cosim,export]
#
# Arguments (key=value after -tclargs; all but export are optional):
#   export   export directory (manifest.yaml, snn_params.h)
#   gen      directory of the generated sources (default build/csim/<export name>, where `golden csim` writes them)
#   part     FPGA part (default xcu250-figd2104-2L-e, an Alveo U250)
#   clock    clock period in ns (default 5 = 200 MHz, the clock `golden estimate` assumes by default)
#   steps    comma-separated subset of csim,csynth,cosim,export, run in that order (default csim,csynth)
#   project  Vitis project directory (default build/hls/<export name>)
#   cflags   compiler flags (default -std=c++17: the config structs' static constexpr arrays are C++17 inline
#            variables; nothing else needs more than C++14)
# csim and cosim run hls/tb/csim_frame_main.cpp on the image buffer that `golden csim` wrote
# (<gen>/frame0_<H>x<W>.image.bin, the export's own size); it writes <gen>/vitis_{scratch,output}.bin, which
# golden/backends/hls/csim.py `compare` checks (the == comparison of every layer, every step).
# export writes an IP catalog archive into the solution.

set root [file normalize [file join [file dirname [info script]] ..]]
set opts [dict create export "" gen "" part xcu250-figd2104-2L-e clock 5 steps csim,csynth project "" \
              cflags "-std=c++17"]
foreach arg $argv {
    # (the first height / width keys of the manifest are the input's)
if {![regexp {\n\s+height:\s*(\d+)} $manifest -> height] || ![regexp {\n\s+width:\s*(\d+)} $manifest -> width]} {
    error "run_hls.tcl: $export/manifest.yaml: no input height / width"
}
set image [file join $gen frame0_${height}x${width}.image.bin]
set argv_tb "$image $height $width [file join $gen vitis_scratch.bin] [file join $gen vitis_output.bin]"
set cflags "[dict get $opts cflags] -I[file join $root hls] -I$export -I$gen"
open_project -reset $project
set_top snn_frame_top
add_files [file join $gen snn_frame_top.cpp] -cflags $cflags
add_files -tb [file join $root hls tb csim_frame_main.cpp] -cflags $cflags
open_solution -reset solution1 -flow_target vivado
set_part [dict get $opts part]
create_clock -period [dict get $opts clock] -name default

foreach step [split [dict get $opts steps] ,] {
    switch -- $step {
        csim    { csim_design -argv $argv_tb }
        csynth  { csynth_design }
        cosim   { cosim_design -argv $argv_tb }
        export  { export_design -format ip_catalog }
        default { error "run_hls.tcl: unknown step '$step' (csim, csynth, cosim, export)" }
    }
}
exit
