// Ctrl-C and friends. SIGINT, SIGTERM and SIGHUP set a flag instead of
// killing the process, so that a command ends through its error path: its
// output is discarded, not left half-written (a temporary file included).
// Blocking reads and writes see the flag through the URL layer's interrupt
// callback, which they poll while they wait. A second signal kills at once.
#ifndef AVIO_TOOLS_INTERRUPT_HPP
#define AVIO_TOOLS_INTERRUPT_HPP

namespace avio::tools {

void install_interrupt_handlers();
bool interrupt_requested();
// 128 + the signal's number, the status a shell reports for it.
int interrupt_exit_status();

}  // namespace avio::tools

#endif  // AVIO_TOOLS_INTERRUPT_HPP
