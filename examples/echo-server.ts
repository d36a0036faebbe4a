// A blocking TCP echo server: the classic first socket program, ported line by line.
//
// The Python it mirrors:
//
//   import socket
//   import sys
//
//   HOST = '127.0.0.1'                                   # loopback only
//   PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 0  # 0: the kernel picks a free port
//
//   with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
//       s.settimeout(30)                                 # give up if no client comes
//       s.bind((HOST, PORT))
//       s.listen()
//       print(s.getsockname()[1], flush=True)            # first line: the port
//       conn, addr = s.accept()
//       with conn:
//           conn.settimeout(30)
//           print('Connected by', addr)
//           for _ in range(10_000):                      # ends at EOF long before this
//               data = conn.recv(1024)
//               if not data:
//                   break
//               conn.sendall(data)
//
// Run:  npx tsx examples/echo-server.ts [port]
// then: npx tsx examples/echo-client.ts 127.0.0.1 <port>
//
// Every call here blocks this thread while it waits, as fs.readFileSync does. That is the
// right shape for a one-connection script or a worker_thread; a server on the main thread
// of a larger program would use the async twin (bsdsock/aio) instead.
import * as socket from 'bsdsock';

const HOST = '127.0.0.1';
const PORT = process.argv.length > 2 ? Number(process.argv[2]) : 0;
if (!Number.isInteger(PORT)) {
  console.error('usage: echo-server.ts [port]');
  process.exit(2);
}

{
  using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.settimeout(30);
  s.bind([HOST, PORT]);
  s.listen();
  console.log(s.getsockname()[1]);
  const [accepted, addr] = s.accept();
  {
    using conn = accepted;
    conn.settimeout(30);
    console.log('Connected by', addr);
    for (let i = 0; i < 10_000; i++) {
      const data = conn.recv(1024);
      if (data.length === 0) break;
      conn.sendall(data);
    }
  }
}
