package dev.converge.ssh;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import net.schmizz.sshj.common.LoggerFactory;
import net.schmizz.sshj.connection.Connection;
import net.schmizz.sshj.connection.channel.direct.DirectConnection;
import org.slf4j.Logger;

/**
 * A {@code direct-tcpip} channel on a jump host's connection that carries another host's SSH connection.
 *
 * <p>It differs from sshj's {@link DirectConnection} in one way: closing the stream that the tunnelled client
 * reads does not mark the channel's input ended. sshj shuts that stream as soon as the tunnelled connection
 * disconnects, and data the far end still sends before the channel is closed would then be a protocol error on the
 * jump host's connection (sshj: "Getting data on EOF'ed stream") and kill it, for every host that shares it.
 * The owner closes the channel itself, after the tunnelled client has disconnected.
 */
final class Tunnel extends DirectConnection {

  /**
   * sshj names a channel's logger after the channel's class; this keeps a tunnel's sshj chatter (channel opens and
   * closes at INFO) under sshj's logger names, which are configured apart from converge's own.
   */
  static final LoggerFactory SSHJ_LOGGERS = new LoggerFactory() {
    @Override
    public Logger getLogger(String name) {
      return LoggerFactory.DEFAULT.getLogger(name);
    }

    @Override
    public Logger getLogger(Class<?> type) {
      return LoggerFactory.DEFAULT.getLogger(type == Tunnel.class ? DirectConnection.class : type);
    }
  };

  private final InputStream clientSide;

  private Tunnel(Connection jump, String address, int port) {
    super(jump, address, port);
    this.clientSide = new FilterInputStream(super.getInputStream()) {
      @Override
      public void close() {
        // the channel's close ends its input; see the class comment
      }
    };
  }

  /** Opens a channel from the jump host to {@code address:port}. */
  static Tunnel open(Connection jump, String address, int port) throws IOException {
    Tunnel tunnel = new Tunnel(jump, address, port);
    tunnel.open();
    return tunnel;
  }

  @Override
  public InputStream getInputStream() {
    return clientSide;
  }
}
