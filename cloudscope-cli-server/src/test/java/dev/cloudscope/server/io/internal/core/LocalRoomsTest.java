package dev.cloudscope.server.io.internal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link LocalRooms} alone: who is in which room, per namespace, asked from both sides, also under races. */
class LocalRoomsTest {

    private final LocalRooms rooms = new LocalRooms(new LocalSockets());

    @Test
    void membersAndRoomsOfASocketTellTheSameStory() {
        rooms.join("/", "x", "a");
        rooms.join("/", "x", "b");
        rooms.join("/", "y", "a");
        rooms.join("/chat", "x", "a");

        assertThat(rooms.roomsOf("/", "x")).containsExactlyInAnyOrder("a", "b");
        assertThat(rooms.members("/", Set.of("a"))).containsExactlyInAnyOrder("x", "y");
        assertThat(rooms.members("/", Set.of("a", "b"))).containsExactlyInAnyOrder("x", "y");
        assertThat(rooms.members("/chat", Set.of("a"))).containsExactly("x");

        rooms.leave("/", "x", "a");
        assertThat(rooms.roomsOf("/", "x")).containsExactly("b");
        assertThat(rooms.members("/", Set.of("a"))).containsExactly("y");

        rooms.leaveAll("/", "x");
        assertThat(rooms.roomsOf("/", "x")).isEmpty();
        assertThat(rooms.members("/", Set.of("a", "b"))).containsExactly("y");
        assertThat(rooms.members("/chat", Set.of("a"))).as("another namespace").containsExactly("x");
    }

    /**
     * Known bug, fails until fixed. A socket joins a room while the room's last member leaves it, on another thread
     * (two connections on two event loops, say): the join must not be lost. {@code join} takes the room's member set
     * with {@code members.computeIfAbsent(room, ...)} and adds to it after that call has returned, outside the map's
     * lock; the leave empties the same set meanwhile and removes it from the map ({@code removeMember} returns null),
     * so the joiner is added to a set the map no longer holds: {@code roomsOf} says it is in the room,
     * {@code members} (who every emit to the room goes to) says it is not, until it leaves and joins again.
     */
    @Test
    void aJoinRacingTheLastMembersLeaveOfTheSameRoomIsNotLost() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Thread other = new Thread(() -> {
            while (!stop.get()) {
                rooms.join("/", "other", "r");
                rooms.leave("/", "other", "r"); // the last member leaves: the room goes
            }
        }, "other-socket");
        other.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        long rounds = 0;
        long lost = 0;
        try {
            while (System.nanoTime() < deadline && lost == 0) {
                rooms.join("/", "joiner", "r");
                if (!rooms.members("/", Set.of("r")).contains("joiner")) {
                    lost++;
                }
                rooms.leave("/", "joiner", "r");
                rounds++;
            }
        } finally {
            stop.set(true);
            other.join();
        }

        assertThat(lost).as("joins lost in %d rounds (roomsOf says joined, members does not)", rounds).isZero();
    }
}
