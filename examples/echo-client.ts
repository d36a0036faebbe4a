// The client of examples/echo-server.ts: send a greeting, print what comes back.
//
// The Python it mirrors:
//
//   import socket
//   import sys
//
//   HOST = sys.argv[1]
//   PORT = int(sys.argv[2])
//
//   with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
//       s.settimeout(10)                                 # never hang on a silent server
//       s.connect((HOST, PORT))
//       s.sendall(b'Hello, world')
//       data = s.recv(1024)
//
//   print(f'Received {data!r}')
//
// Run:  npx tsx examples/echo-client.ts 127.0.0.1 <port printed by echo-server.ts>
//
// connect, sendall and recv block this thread while they wait (like fs.*Sync).
import * as socket from 'bsdsock';

const HOST = process.argv[2];
const PORT = Number(process.argv[3]);
if (HOST === undefined || !Number.isInteger(PORT)) {
  console.error('usage: echo-client.ts <host> <port>');
  process.exit(2);
}

let data: Buffer;
{
  using s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.settimeout(10);
  s.connect([HOST, PORT]);
  s.sendall(Buffer.from('Hello, world'));
  data = s.recv(1024);
}

// Python prints the bytes' repr; the nearest JS form is the text, quoted.
console.log(`Received ${JSON.stringify(data.toString())}`);
