// The echo server of the Python documentation's `selectors` page, ported line by line:
// one thread, one selector, any number of clients. Each TypeScript line has the Python
// line it mirrors beside it.
//
// Run:  npx tsx examples/selectors-echo-server.ts [port]     (prints the port first)
// then: nc 127.0.0.1 <port>   (several at once)
//
// Two changes from the documentation: it listens on 127.0.0.1 and on the port given (0,
// the default here, lets the kernel pick one and the first line printed is that port),
// and it prints the port. sel.select() blocks this thread, as in Python: this is a
// program of its own (or a worker_thread), not code for a Node server's event loop.
import * as selectors from 'bsdsock/selectors'; //                          import selectors
import * as socket from 'bsdsock'; //                                       import socket

const PORT = process.argv.length > 2 ? Number(process.argv[2]) : 0;

const sel = selectors.DefaultSelector(); //                                 sel = selectors.DefaultSelector()

type Callback = (sock: socket.Socket, mask: number) => void;

function accept(sock: socket.Socket, mask: number): void {
  //                                                                        def accept(sock, mask):
  const [conn, addr] = sock.accept(); // Should be ready                        conn, addr = sock.accept()  # Should be ready
  console.log('accepted', String(conn), 'from', addr); //                       print('accepted', conn, 'from', addr)
  conn.setblocking(false); //                                                   conn.setblocking(False)
  sel.register(conn, selectors.EVENT_READ, read); //                            sel.register(conn, selectors.EVENT_READ, read)
  void mask;
}

function read(conn: socket.Socket, mask: number): void {
  //                                                                        def read(conn, mask):
  const data = conn.recv(1000); // Should be ready                              data = conn.recv(1000)  # Should be ready
  if (data.length) {
    //                                                                          if data:
    console.log('echoing', JSON.stringify(data.toString()), 'to', String(conn)); //  print('echoing', repr(data), 'to', conn)
    conn.send(data); // Hope it won't block                                         conn.send(data)  # Hope it won't block
  } else {
    //                                                                          else:
    console.log('closing', String(conn)); //                                        print('closing', conn)
    sel.unregister(conn); //                                                        sel.unregister(conn)
    conn.close(); //                                                                conn.close()
  }
  void mask;
}

const sock = socket.socket(); //                                            sock = socket.socket()
sock.bind(['127.0.0.1', PORT]); //                                          sock.bind(('localhost', 1234))
sock.listen(100); //                                                        sock.listen(100)
sock.setblocking(false); //                                                 sock.setblocking(False)
sel.register(sock, selectors.EVENT_READ, accept); //                        sel.register(sock, selectors.EVENT_READ, accept)
console.log(sock.getsockname()[1]);

for (;;) {
  //                                                                        while True:
  const events = sel.select(); //                                               events = sel.select()
  for (const [key, mask] of events) {
    //                                                                          for key, mask in events:
    const callback = key.data as Callback; //                                       callback = key.data
    callback(key.fileobj as socket.Socket, mask); //                                callback(key.fileobj, mask)
  }
}
