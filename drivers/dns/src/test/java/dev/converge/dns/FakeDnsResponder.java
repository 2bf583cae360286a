package dev.converge.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.xbill.DNS.Message;

/**
 * A DNS-over-TCP responder on 127.0.0.1 that answers each query as a test says: an impostor for the negative tests
 * of response verification (unsigned, badly signed, silent). Never a stand-in for a real server otherwise.
 */
final class FakeDnsResponder implements AutoCloseable {

  private final ServerSocket server;
  private final Function<Message, Optional<byte[]>> answer;
  private final CopyOnWriteArrayList<Socket> clients = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  /** {@code answer} gets each query and returns the response's wire form, or empty to stay silent. */
  FakeDnsResponder(Function<Message, Optional<byte[]>> answer) throws IOException {
    this.server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    this.answer = answer;
    this.acceptor = new Thread(this::serve, "fake-dns");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  DnsServer address() {
    return new DnsServer("127.0.0.1", server.getLocalPort());
  }

  private void serve() {
    try {
      while (true) {
        Socket client = server.accept();
        clients.add(client);
        DataInputStream in = new DataInputStream(client.getInputStream());
        DataOutputStream out = new DataOutputStream(client.getOutputStream());
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        Optional<byte[]> response = answer.apply(new Message(query));
        if (response.isPresent()) {
          out.writeShort(response.get().length);
          out.write(response.get());
          out.flush();
        }
      }
    } catch (IOException e) {
      // closed by the test
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : clients) {
      s.close();
    }
  }
}
