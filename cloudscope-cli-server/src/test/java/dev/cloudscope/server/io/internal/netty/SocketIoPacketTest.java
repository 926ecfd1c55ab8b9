package dev.cloudscope.server.io.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@link SocketIoPacket}: the socket.io v5 packet format, as the protocol document's examples write it. */
class SocketIoPacketTest {

    @Test
    void aConnectToTheMainNamespaceWithoutAndWithAuth() throws Exception {
        assertThat(SocketIoPacket.parse("0")).isEqualTo(new SocketIoPacket(SocketIoPacket.Type.CONNECT, "/", null, 0, null));
        assertThat(SocketIoPacket.parse("0{\"token\":\"123\"}").data()).isEqualTo(Map.of("token", "123"));
    }

    @Test
    void aConnectToACustomNamespaceWithOrWithoutTheComma() throws Exception {
        assertThat(SocketIoPacket.parse("0/admin,").namespace()).isEqualTo("/admin");
        assertThat(SocketIoPacket.parse("0/admin").namespace()).isEqualTo("/admin");
        assertThat(SocketIoPacket.parse("0/admin,{\"token\":\"[1]\"}").data()).isEqualTo(Map.of("token", "[1]"));
    }

    @Test
    void anEventWithAnAckIdOnANamespace() throws Exception {
        SocketIoPacket event = SocketIoPacket.parse("2/admin,456[\"project:delete\",123]");

        assertThat(event.type()).isEqualTo(SocketIoPacket.Type.EVENT);
        assertThat(event.namespace()).isEqualTo("/admin");
        assertThat(event.ackId()).isEqualTo(456L);
        assertThat(event.eventName()).isEqualTo("project:delete");
        assertThat(event.arguments(List.of())).containsExactly(123);
    }

    @Test
    void aBinaryEventGetsItsAttachmentsWhereItsPlaceholdersWere() throws Exception {
        SocketIoPacket event = SocketIoPacket.parse(
                "52-[\"hello\",{\"base64\":{\"_placeholder\":true,\"num\":1}},{\"_placeholder\":true,\"num\":0}]");
        byte[] first = {1, 2, 3};
        byte[] second = {4};

        assertThat(event.attachments()).isEqualTo(2);
        assertThat(event.arguments(List.of(first, second))).containsExactly(Map.of("base64", second), first);
    }

    @Test
    void aPlaceholderNamingNoAttachmentBreaksTheProtocol() throws Exception {
        SocketIoPacket event = SocketIoPacket.parse("51-[\"hello\",{\"_placeholder\":true,\"num\":1}]");

        assertThatThrownBy(() -> event.arguments(List.of(new byte[] {1}))).isInstanceOf(SocketIoPacket.Invalid.class);
    }

    @Test
    void anAckCarriesItsIdAndValues() throws Exception {
        SocketIoPacket ack = SocketIoPacket.parse("3/admin,456[]");

        assertThat(ack.ackId()).isEqualTo(456L);
        assertThat(ack.arguments(List.of())).isEmpty();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "unknown packet type 9       | 9",
            "not a packet type           | abc",
            "empty                       | ''",
            "event payload an object     | 2{}",
            "event payload empty array   | 2[]",
            "event without payload       | 2",
            "event name a number         | 2[7]",
            "reserved event name         | 2[\"connect\"]",
            "ack id that is not a number | 2abc[\"message-with-ack\",1]",
            "trailing content            | 2[\"a\"]x",
            "two packets in one          | 2[\"a\"]\u001e42[\"b\"]",
            "connect with an array       | 0[1]",
            "connect with a string       | 0\"token\"",
            "disconnect with payload     | 1{}",
            "ack without an id           | 3[]",
            "ack payload an object       | 31{}",
            "binary without count        | 5[\"a\"]",
            "binary with a count over 64 | 565-[\"a\"]",
            "connect error from a client | 4{\"message\":\"x\"}x",
    })
    void whatBreaksTheFormatIsInvalid(String what, String packet) {
        assertThatThrownBy(() -> SocketIoPacket.parse(packet)).as(what).isInstanceOf(SocketIoPacket.Invalid.class);
    }
}
