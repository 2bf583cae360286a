package dev.converge.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Whether an sshd answers: a TCP connection succeeds and the server sends its {@code SSH-2.0-...} banner. */
final class SshBanner {

  private static final String START = "SSH-";

  private SshBanner() {}

  static boolean answers(InetAddress address, int port, Duration timeout) {
    int millis = (int) timeout.toMillis();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), millis);
      socket.setSoTimeout(millis);
      byte[] start = socket.getInputStream().readNBytes(START.length());
      return new String(start, StandardCharsets.US_ASCII).equals(START);
    } catch (IOException e) {
      return false;
    }
  }
}
