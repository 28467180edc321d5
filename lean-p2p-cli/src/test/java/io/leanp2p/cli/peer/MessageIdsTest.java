package io.leanp2p.cli.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.leanp2p.codec.snappy.SnappyBlock;
import io.leanp2p.testing.Fixtures;
import io.leanp2p.util.Hex;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
  @Test
  void matchesTheLeanSpecFixtures() {
    List<Fixtures.Case> cases = Fixtures.cases("networking/networking_codec/lstar/networking/test_gossip_message_id");
    assertThat(cases).isNotEmpty();
    int checked = 0;
    for (Fixtures.Case c : cases) {
      String topic = new String(Hex.decode((String) Fixtures.get(c.body(), "codec", "topic")), StandardCharsets.UTF_8);
      byte[] data = Hex.decode((String) Fixtures.get(c.body(), "codec", "data"));
      String domain = Fixtures.get(c.body(), "codec", "domain");
      String expected = ((String) Fixtures.get(c.body(), "output", "messageId")).substring(2);
      byte[] payload;
      if (domain.equals("0x01000000")) {
        payload = SnappyBlock.compress(data);
      } else {
        if (MessageIds.isValidSnappy(data)) {
          continue; // this data would take the other domain as a wire payload
        }
        payload = data;
      }
      assertThat(Hex.encode(MessageIds.compute(topic, payload))).as(c.name()).isEqualTo(expected);
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(cases.size() / 2);
  }
}
