package dev.converge.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.converge.testing.BindServer;
import dev.converge.transport.LocalTransport;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/** DNS over TCP with TSIG both ways: against a real BIND, and against impostors whose answers must be rejected. */
class DnsConnectionTest {

  @RegisterExtension
  static final BindServer bind = BindServer.serving("my.domain");

  private static final LocalTransport transport = new LocalTransport();
  private static final Name ZONE = Name.fromConstantString("my.domain.");
  /** Same name as BIND's key, another secret: what an impostor without the key would sign with. */
  private static final String FORGED_SECRET = "Zm9yZ2VkLXNlY3JldC1ub2JvZHktc2hvdWxkLWtub3c=";

  @AfterAll
  static void closeTransport() {
    transport.close();
  }

  @Test
  void exchangesASignedQueryAndVerifiesTheSignedAnswer() throws Exception {
    try (DnsConnection dns = DnsConnection.open(transport, server(), key())) {
      Message response = dns.exchange(Message.newQuery(Record.newRecord(ZONE, Type.SOA, DClass.IN)));

      assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(response.isVerified()).isTrue();
      assertThat(response.getSection(Section.ANSWER)).singleElement().isInstanceOf(SOARecord.class);
    }
  }

  @Test
  void transfersTheZoneFromSoaToSoa() throws Exception {
    try (DnsConnection dns = DnsConnection.open(transport, server(), key())) {
      List<Record> zone = dns.axfr(ZONE);

      assertThat(zone.get(0)).isInstanceOf(SOARecord.class);
      assertThat(zone.get(zone.size() - 1)).isInstanceOf(SOARecord.class);
      assertThat(zone).anyMatch(r -> r.getType() == Type.NS);
    }
  }

  @Test
  void anUnsignedAnswerIsRejected() throws Exception {
    try (FakeDnsResponder impostor = new FakeDnsResponder(q -> Optional.of(answer(q).toWire()));
        DnsConnection dns = DnsConnection.open(transport, impostor.address(), key())) {
      assertThatThrownBy(() -> dns.exchange(Message.newQuery(Record.newRecord(ZONE, Type.SOA, DClass.IN))))
          .isInstanceOf(DnsException.class)
          .hasMessageContaining("DNS server " + impostor.address())
          .hasMessageContaining("rejected a response")
          .hasMessageContaining("it is not signed")
          .hasMessageContaining("key " + BindServer.KEY_NAME);
    }
  }

  @Test
  void anUnsignedZoneTransferIsRejected() throws Exception {
    try (FakeDnsResponder impostor = new FakeDnsResponder(q -> {
          Message m = answer(q);
          Record soa = new SOARecord(ZONE, DClass.IN, 300, Name.fromConstantString("ns.my.domain."),
              Name.fromConstantString("hostmaster.my.domain."), 1, 3600, 600, 86400, 300);
          m.addRecord(soa, Section.ANSWER);
          m.addRecord(soa, Section.ANSWER);
          return Optional.of(m.toWire());
        });
        DnsConnection dns = DnsConnection.open(transport, impostor.address(), key())) {
      assertThatThrownBy(() -> dns.axfr(ZONE)).hasMessageContaining("rejected a response");
    }
  }

  @Test
  void anAnswerSignedWithAnotherSecretIsRejected() throws Exception {
    TSIG forged = new TSIG(TSIG.HMAC_SHA256, Name.fromConstantString(BindServer.KEY_NAME + "."), FORGED_SECRET);
    try (FakeDnsResponder impostor = new FakeDnsResponder(q -> {
          Message m = answer(q);
          m.setTSIG(forged, Rcode.NOERROR, q.getTSIG());
          return Optional.of(m.toWire(Message.MAXLENGTH));
        });
        DnsConnection dns = DnsConnection.open(transport, impostor.address(), key())) {
      assertThatThrownBy(() -> dns.exchange(Message.newQuery(Record.newRecord(ZONE, Type.SOA, DClass.IN))))
          .hasMessageContaining("its signature does not verify (BADSIG)");
    }
  }

  @Test
  void aServerThatNeverAnswersTimesOut() throws Exception {
    try (FakeDnsResponder silent = new FakeDnsResponder(q -> Optional.empty());
        DnsConnection dns = DnsConnection.open(transport, silent.address(), key(), Duration.ofMillis(300))) {
      assertThatThrownBy(() -> dns.exchange(Message.newQuery(Record.newRecord(ZONE, Type.SOA, DClass.IN))))
          .hasMessageContaining("DNS server " + silent.address())
          .hasMessageContaining("no response within 300 ms");
    }
  }

  @Test
  void nothingListeningIsReportedNamingTheServer() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    DnsServer nowhere = new DnsServer("127.0.0.1", closedPort);

    assertThatThrownBy(() -> DnsConnection.open(transport, nowhere, key()))
        .isInstanceOf(DnsException.class)
        .hasMessageContaining("DNS server 127.0.0.1:" + closedPort)
        .hasMessageContaining("key " + BindServer.KEY_NAME)
        .hasMessageContaining("cannot connect")
        .hasMessageContaining("refused");
  }

  private static DnsServer server() {
    return DnsServer.parse(bind.server());
  }

  private static TsigKeyFile key() {
    return TsigKeyFile.parse(bind.keyFileText(), "test key");
  }

  private static Message answer(Message query) {
    Message m = new Message(query.getHeader().getID());
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.AA);
    m.addRecord(query.getQuestion(), Section.QUESTION);
    return m;
  }
}
