#ifndef FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_LOOPBACK_PORT_H_
#define FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_LOOPBACK_PORT_H_

#include "absl/status/statusor.h"

namespace foldstack::trainer::distributed {

// A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it for
// a socket bound to port 0, which is then closed. Another process may take it
// before rank 0's TCPStore binds it; the ranks' rendezvous then fails with a
// clear error rather than meeting the wrong peer.
absl::StatusOr<int> PickFreeLoopbackPort();

}  // namespace foldstack::trainer::distributed

#endif  // FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_LOOPBACK_PORT_H_
