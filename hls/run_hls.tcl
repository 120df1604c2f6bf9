# Vitis HLS flow for the Spiking-UNet HLS C++ (hls/README.md): C-sim, C synthesis, C/RTL co-simulation, IP export.
#
# From the repository root, for a full-network export (the top is generated from its manifest):
#   .venv/bin/python -m golden csim --export DIR --generate-only   # writes build/csim/<DIR name>/snn_net_top.*
#   vitis_hls -f hls/run_hls.tcl -tclargs export=DIR [part=...] [clock=5] [steps=csim,csynth,cosim,export]
#
# Arguments (key=value after -tclargs; all but export are optional):
#   export   export directory (manifest.yaml, snn_params.h, vectors/); the benches read its golden vectors
#            (gzip files: the bench links zlib, -ldflags -lz)
#   gen      directory of the generated sources (default build/csim/<export name>, where `golden csim` writes them)
#   part     FPGA part (default xcu250-figd2104-2L-e, an Alveo U250)
#   clock    clock period in ns (default 5 = 200 MHz, the clock `golden estimate` assumes by default)
#   steps    comma-separated subset of csim,csynth,cosim,export, run in that order (default csim,csynth)
#   project  Vitis project directory (default build/hls/<export name>)
#   cflags   compiler flags (default -std=c++17: the config structs' static constexpr arrays are C++17 inline
#            variables; nothing else needs more than C++14)
# cosim runs the bench with the deployable top (snn_net_top) as the RTL under test; the probed
# top (every layer's spikes and membranes) runs as C in the same bench, so the == comparison of every layer is
# kept. export writes an IP catalog archive into the solution.

set root [file normalize [file join [file dirname [info script]] ..]]
set opts [dict create export "" gen "" part xcu250-figd2104-2L-e clock 5 steps csim,csynth project "" \
              cflags "-std=c++17"]
foreach arg $argv {
    if {![regexp {^([a-z]+)=(.*)$} $arg -> key value] || ![dict exists $opts $key]} {
        error "run_hls.tcl: unknown argument '$arg' (expected one of: [dict keys $opts], as key=value)"
    }
    dict set opts $key $value
}

set export [dict get $opts export]
if {$export eq "" || ![file exists [file join $export snn_params.h]]} {
    error "run_hls.tcl: export=DIR must name an export directory with snn_params.h (run the export first)"
}
set export [file normalize $export]
set name [file tail $export]
set gen [dict get $opts gen]
if {$gen eq ""} { set gen [file join $root build csim $name] }
set gen [file normalize $gen]
set project [dict get $opts project]
if {$project eq ""} { set project [file join $root build hls $name] }

if {![file exists [file join $gen snn_net_top.cpp]]} {
    error "run_hls.tcl: $gen/snn_net_top.cpp is missing: run python -m golden csim --export $export --generate-only"
}
set cflags "[dict get $opts cflags] -I[file join $root hls] -I$export -I$gen"
open_project -reset $project
set_top snn_net_top
add_files [file join $gen snn_net_top.cpp] -cflags $cflags
add_files -tb [file join $root hls tb csim_net_main.cpp] -cflags $cflags
open_solution -reset solution1 -flow_target vivado
set_part [dict get $opts part]
create_clock -period [dict get $opts clock] -name default

foreach step [split [dict get $opts steps] ,] {
    switch -- $step {
        csim    { csim_design -ldflags {-lz} -argv $export }
        csynth  { csynth_design }
        cosim   { cosim_design -ldflags {-lz} -argv $export }
        export  { export_design -format ip_catalog }
        default { error "run_hls.tcl: unknown step '$step' (csim, csynth, cosim, export)" }
    }
}
exit
