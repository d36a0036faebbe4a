// A multi-client chat server on select.select(), the shape of the Python tutorials'
// chat servers, ported line by line: whatever one client sends goes to every other
// client. Each TypeScript line has the Python line it mirrors beside it.
//
// Run:  npx tsx examples/select-chat-server.ts [port]    (prints the port first)
// then: nc 127.0.0.1 <port>   in several terminals
//
// select.select() blocks this thread, as in Python: a program of its own, not code for a
// Node server's event loop (use bsdsock/aio there).
import * as select from 'bsdsock/select'; //                                import select
import * as socket from 'bsdsock'; //                                       import socket
//                                                                          import sys

const PORT = process.argv.length > 2 ? Number(process.argv[2]) : 0; //      PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 0

const server = socket.socket(socket.AF_INET, socket.SOCK_STREAM); //        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); //            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(['127.0.0.1', PORT]); //                                        server.bind(('127.0.0.1', PORT))
server.listen(10); //                                                       server.listen(10)
const sockets: socket.Socket[] = [server]; //                               sockets = [server]
console.log(server.getsockname()[1]); //                                    print(server.getsockname()[1], flush=True)

function broadcast(sender: socket.Socket, message: Buffer): void {
  //                                                                        def broadcast(sender, message):
  for (const s of [...sockets]) {
    //                                                                          for s in list(sockets):
    if (s !== server && s !== sender) {
      //                                                                            if s is not server and s is not sender:
      try {
        //                                                                              try:
        s.sendall(message); //                                                              s.sendall(message)
      } catch (e) {
        //                                                                              except OSError:
        if (!(e instanceof socket.OSError)) throw e;
        sockets.splice(sockets.indexOf(s), 1); //                                           sockets.remove(s)
        s.close(); //                                                                       s.close()
      }
    }
  }
}

for (;;) {
  //                                                                        while True:
  const [readable] = select.select(sockets, [], []); //                         readable, _, _ = select.select(sockets, [], [])
  for (const s of readable) {
    //                                                                          for s in readable:
    if (s === server) {
      //                                                                            if s is server:
      const [conn, addr] = server.accept(); //                                          conn, addr = server.accept()
      sockets.push(conn); //                                                            sockets.append(conn)
      const [host, port] = addr;
      broadcast(conn, Buffer.from(`[${host}:${port}] entered\n`)); //                   broadcast(conn, f'[{addr[0]}:{addr[1]}] entered\n'.encode())
    } else {
      //                                                                            else:
      const data = s.recv(4096); //                                                     data = s.recv(4096)
      if (data.length) {
        //                                                                              if data:
        broadcast(s, data); //                                                              broadcast(s, data)
      } else {
        //                                                                              else:
        sockets.splice(sockets.indexOf(s), 1); //                                           sockets.remove(s)
        s.close(); //                                                                       s.close()
      }
    }
  }
}
