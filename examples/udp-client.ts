// The client of examples/udp-server.ts: one datagram out, one back.
//
// The Python it mirrors:
//
//   import socket
//   import sys
//
//   HOST = sys.argv[1]
//   PORT = int(sys.argv[2])
//
//   with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
//       s.settimeout(10)                                 # UDP may lose the answer: don't wait forever
//       s.sendto(b'Hello, world', (HOST, PORT))
//       data, addr = s.recvfrom(1024)
//
//   print(f'Received {data!r} from {addr}')
//
// Run:  npx tsx examples/udp-client.ts 127.0.0.1 <port printed by udp-server.ts>
//
// recvfrom blocks this thread while it waits (like fs.*Sync).
import * as socket from 'bsdsock';

const HOST = process.argv[2];
const PORT = Number(process.argv[3]);
if (HOST === undefined || !Number.isInteger(PORT)) {
  console.error('usage: udp-client.ts <host> <port>');
  process.exit(2);
}

let data: Buffer;
let addr: unknown;
{
  using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.settimeout(10);
  s.sendto(Buffer.from('Hello, world'), [HOST, PORT]);
  [data, addr] = s.recvfrom(1024);
}

console.log(`Received ${JSON.stringify(data.toString())} from ${JSON.stringify(addr)}`);
