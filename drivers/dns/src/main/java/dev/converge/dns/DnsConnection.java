package dev.converge.dns;

import dev.converge.driver.StreamConnection;
import dev.converge.driver.Transport;
import dev.converge.driver.TransportException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * DNS over TCP (RFC 1035 §4.2.2: each message behind a 2-byte big-endian length) on one {@link StreamConnection}
 * opened by a host's transport, every message TSIG-signed with one key and every response's signature verified here
 * (dnsjava's resolvers only log a failed check, and open their own sockets). An unsigned or badly signed response is
 * an error, as is one that takes longer than {@link #TIMEOUT}; after a timeout the connection is closed.
 *
 * <p>Not thread-safe: one exchange at a time. Errors name the server and the key name, never the secret.
 */
public final class DnsConnection implements AutoCloseable {

  /** How long one response message may take. */
  public static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static final ScheduledExecutorService ALARMS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "converge-dns-timeout");
    t.setDaemon(true);
    return t;
  });

  private static final Logger log = LoggerFactory.getLogger(DnsConnection.class);

  private final StreamConnection stream;
  private final DataInputStream in;
  private final OutputStream out;
  private final TSIG tsig;
  private final String keyName;
  private final String describe;
  private final Duration timeout;

  private DnsConnection(StreamConnection stream, TSIG tsig, String keyName, String describe, Duration timeout) {
    this.stream = stream;
    this.in = new DataInputStream(stream.input());
    this.out = stream.output();
    this.tsig = tsig;
    this.keyName = keyName;
    this.describe = describe;
    this.timeout = timeout;
  }

  /** Connects to {@code server} as {@code transport}'s host sees it. */
  public static DnsConnection open(Transport transport, DnsServer server, TsigKeyFile key) throws DnsException {
    return open(transport, server, key, TIMEOUT);
  }

  /** As {@link #open(Transport, DnsServer, TsigKeyFile)}, waiting at most {@code timeout} for each response. */
  public static DnsConnection open(Transport transport, DnsServer server, TsigKeyFile key, Duration timeout)
      throws DnsException {
    String describe = "DNS server " + server + " (key " + key.name() + ", via " + transport.describe() + ")";
    TSIG tsig = tsig(key, describe);
    try {
      return new DnsConnection(transport.connect(server.address(), server.port()), tsig, key.name(), describe,
          timeout);
    } catch (TransportException e) {
      throw new DnsException(describe + ": cannot connect: " + e.getMessage(), e);
    }
  }

  /**
   * Signs {@code query} (which must not be signed yet, and is not reused afterwards), sends it and returns the
   * verified response, whatever its rcode: the caller decides what NXRRSET or REFUSED mean to it.
   *
   * @throws DnsException on a TSIG error from the server (BADKEY, BADSIG, BADTIME), an unsigned or badly signed
   *     response, a timeout or a broken connection
   */
  public Message exchange(Message query) throws DnsException {
    tsig.apply(query, null);
    TSIGRecord sent = query.getTSIG();
    byte[] wire = query.toWire();
    log.debug("{}: sending {} ({} bytes)", describe, Opcode.string(query.getHeader().getOpcode()), wire.length);
    send(wire);
    byte[] answer = receive();
    Message response = parse(answer);
    requireSameId(query, response);
    requireNoTsigError(response);
    int verified = tsig.verify(response, answer, sent);
    if (verified != Rcode.NOERROR || !response.isVerified()) {
      throw rejected(response, verified);
    }
    return response;
  }

  /**
   * Transfers {@code zone} (AXFR) and returns its records as the server sent them: the SOA first and last. Every
   * message of the stream is verified (RFC 8945 §5.3.1: the first and last signed, at most 99 unsigned between).
   */
  public List<Record> axfr(Name zone) throws DnsException {
    Message query = Message.newQuery(Record.newRecord(zone, Type.AXFR, DClass.IN));
    tsig.apply(query, null);
    TSIG.StreamVerifier verifier = new TSIG.StreamVerifier(tsig, query.getTSIG());
    send(query.toWire());
    List<Record> records = new ArrayList<>();
    while (true) {
      byte[] answer = receive();
      Message response = parse(answer);
      requireSameId(query, response);
      requireNoTsigError(response);
      if (response.getRcode() != Rcode.NOERROR) {
        throw new DnsException(describe + ": zone transfer of " + zone + " refused: " + Rcode.string(
            response.getRcode()), Optional.of(Rcode.string(response.getRcode())), null);
      }
      records.addAll(response.getSection(Section.ANSWER));
      boolean last = records.size() > 1 && records.get(records.size() - 1).getType() == Type.SOA;
      int verified = verifier.verify(response, answer, last);
      if (verified != Rcode.NOERROR) {
        throw rejected(response, verified);
      }
      if (records.isEmpty() || records.get(0).getType() != Type.SOA) {
        throw new DnsException(describe + ": zone transfer of " + zone + " did not start with its SOA record");
      }
      if (last) {
        return records;
      }
    }
  }

  /** For messages: {@code DNS server 127.0.0.1:53 (key NAME, via ssh root@host:22)}. */
  public String describe() {
    return describe;
  }

  @Override
  public void close() {
    stream.close();
  }

  private static TSIG tsig(TsigKeyFile key, String describe) throws DnsException {
    try {
      return new TSIG(TSIG.algorithmToName(key.algorithm()), Name.fromString(key.name(), Name.root), key.secret());
    } catch (IllegalArgumentException | TextParseException e) {
      throw new DnsException(describe + ": key " + key.name() + " cannot be used: unsupported algorithm `"
          + key.algorithm() + "` or name");
    }
  }

  private void send(byte[] wire) throws DnsException {
    byte[] framed = new byte[wire.length + 2];
    framed[0] = (byte) (wire.length >>> 8);
    framed[1] = (byte) wire.length;
    System.arraycopy(wire, 0, framed, 2, wire.length);
    try {
      out.write(framed);
      out.flush();
    } catch (IOException e) {
      throw new DnsException(describe + ": connection lost while sending: " + e.getMessage(), e);
    }
  }

  /** One length-prefixed message; a watchdog closes the stream when it takes too long, which ends a blocked read. */
  private byte[] receive() throws DnsException {
    AtomicBoolean expired = new AtomicBoolean();
    ScheduledFuture<?> alarm = ALARMS.schedule(() -> {
      expired.set(true);
      stream.close();
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    try {
      int length = in.readUnsignedShort();
      byte[] message = new byte[length];
      in.readFully(message);
      return message;
    } catch (IOException e) {
      if (expired.get()) {
        throw new DnsException(describe + ": no response within " + (timeout.toMillis() % 1000 == 0
            ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms"), e);
      }
      String why = e instanceof EOFException ? "the server closed the connection" : e.getMessage();
      throw new DnsException(describe + ": connection lost while waiting for a response: " + why, e);
    } finally {
      alarm.cancel(false);
    }
  }

  private Message parse(byte[] answer) throws DnsException {
    try {
      return new Message(answer);
    } catch (IOException e) {
      throw new DnsException(describe + ": malformed response: " + e.getMessage(), e);
    }
  }

  private void requireSameId(Message query, Message response) throws DnsException {
    if (response.getHeader().getID() != query.getHeader().getID()) {
      throw new DnsException(describe + ": response id " + response.getHeader().getID()
          + " does not match query id " + query.getHeader().getID());
    }
  }

  /** BADKEY, BADSIG and BADTIME come back unsigned (RFC 8945 §5.3.2): the error is the server's word on our key. */
  private void requireNoTsigError(Message response) throws DnsException {
    TSIGRecord signature = response.getTSIG();
    if (signature != null && signature.getError() != Rcode.NOERROR) {
      String error = Rcode.TSIGstring(signature.getError());
      throw new DnsException(describe + ": the server rejected key " + signature.getName() + ": "
          + Rcode.string(response.getRcode()) + "/" + error + explain(signature.getError()),
          Optional.of(error), null);
    }
  }

  private static String explain(int tsigError) {
    return switch (tsigError) {
      case Rcode.BADKEY -> " (the server does not know this key name or algorithm)";
      case Rcode.BADSIG -> " (the secret does not match the server's)";
      case Rcode.BADTIME -> " (the clocks of converge's host and the server differ by more than 5 minutes)";
      default -> "";
    };
  }

  private DnsException rejected(Message response, int verified) {
    String why = response.getTSIG() == null ? "it is not signed" : "its signature does not verify ("
        + Rcode.TSIGstring(verified) + ")";
    return new DnsException(describe + ": rejected a response (" + Rcode.string(response.getRcode()) + ") because "
        + why + "; expected one signed with key " + keyName);
  }
}
