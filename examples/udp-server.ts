// A blocking UDP echo server that answers one datagram and exits.
//
// The Python it mirrors:
//
//   import socket
//   import sys
//
//   HOST = '127.0.0.1'                                   # loopback only
//   PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 0  # 0: the kernel picks a free port
//
//   with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
//       s.settimeout(30)                                 # give up if nothing comes
//       s.bind((HOST, PORT))
//       print(s.getsockname()[1], flush=True)            # first line: the port
//       data, addr = s.recvfrom(1024)
//       print('Datagram from', addr)
//       s.sendto(data, addr)
//
// Run:  npx tsx examples/udp-server.ts [port]
// then: npx tsx examples/udp-client.ts 127.0.0.1 <port>
//
// recvfrom blocks this thread while it waits (like fs.*Sync).
import * as socket from 'bsdsock';

const HOST = '127.0.0.1';
const PORT = process.argv.length > 2 ? Number(process.argv[2]) : 0;
if (!Number.isInteger(PORT)) {
  console.error('usage: udp-server.ts [port]');
  process.exit(2);
}

{
  using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.settimeout(30);
  s.bind([HOST, PORT]);
  console.log(s.getsockname()[1]);
  const [data, addr] = s.recvfrom(1024);
  console.log('Datagram from', addr);
  s.sendto(data, addr);
}
