package dev.cloudscope.server.io.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cloudscope.server.io.internal.core.Rooms.RoomEmit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An emit as a stream entry and back, as another node reads it: what a client would have got, binary included. */
class RoomEntryTest {

    @Test
    void anEmitComesBackFromItsEntryWithItsRoomsExceptsAndArguments() {
        RoomEmit emit = new RoomEmit("/chat", Set.of("room:lobby", "room:ops"), Set.of("sid-1"), "said",
                new Object[] {Map.of("room", "lobby", "from", "ann", "text", "hi"), 42, true, null, List.of("a", 1.5)});

        RoomEntry entry = RoomEntry.of("/chat", RoomEntry.fields("node-a~01", 7, RoomEntry.json(emit)));

        assertThat(entry.origin()).isEqualTo("node-a~01");
        assertThat(entry.seq()).isEqualTo(7);
        assertThat(entry.emit().namespace()).isEqualTo("/chat");
        assertThat(entry.emit().rooms()).containsExactlyInAnyOrder("room:lobby", "room:ops");
        assertThat(entry.emit().except()).containsExactly("sid-1");
        assertThat(entry.emit().event()).isEqualTo("said");
        assertThat(entry.emit().args()).containsExactly(Map.of("room", "lobby", "from", "ann", "text", "hi"), 42, true,
                null, List.of("a", 1.5));
    }

    @Test
    void binaryArgumentsComeBackAsBytesAtAnyDepth() {
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        RoomEmit emit = new RoomEmit("/", Set.of(), Set.of(), "file",
                new Object[] {bytes, Map.of("chunk", bytes, "parts", List.of(bytes))});

        Object[] args = RoomEntry.of("/", RoomEntry.fields("n", 1, RoomEntry.json(emit))).emit().args();

        assertThat(args[0]).isEqualTo(bytes);
        Map<?, ?> nested = (Map<?, ?>) args[1];
        assertThat(nested.get("chunk")).isEqualTo(bytes);
        assertThat((List<?>) nested.get("parts")).singleElement().isEqualTo(bytes);
    }

    @Test
    void anArgumentThatIsNotJsonFailsTheEmitNamingTheEvent() {
        RoomEmit emit = new RoomEmit("/", Set.of("r"), Set.of(), "news", new Object[] {new Object()});

        assertThatThrownBy(() -> RoomEntry.json(emit)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'news' to rooms [r]: an argument cannot be sent to other nodes as JSON");
    }

    @Test
    void anEntryThatIsNotOursIsRefusedWithWhatItLacks() {
        assertThatThrownBy(() -> RoomEntry.of("/", Map.of("origin", "n"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a room entry");
        assertThatThrownBy(() -> RoomEntry.of("/", RoomEntry.fields("n", 1, "{\"rooms\": 3}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("a malformed room entry from n");
    }
}
