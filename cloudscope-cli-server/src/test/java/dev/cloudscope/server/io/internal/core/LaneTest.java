package dev.cloudscope.server.io.internal.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Lane}: one connection's tasks, one at a time and in order, on a shared pool. */
class LaneTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void runsEachLanesTasksInOrderAndNeverTwoAtOnce() throws InterruptedException {
        int lanes = 8;
        int tasks = 2_000;
        List<List<Integer>> seen = new ArrayList<>();
        AtomicInteger[] running = new AtomicInteger[lanes];
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(lanes * tasks);
        List<Lane> all = new ArrayList<>();
        for (int l = 0; l < lanes; l++) {
            seen.add(new ArrayList<>()); // touched by one task at a time only, if the lane is right
            running[l] = new AtomicInteger();
            all.add(new Lane(pool));
        }
        for (int i = 0; i < tasks; i++) {
            for (int l = 0; l < lanes; l++) {
                int lane = l;
                int n = i;
                all.get(l).execute(() -> {
                    if (running[lane].incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    seen.get(lane).add(n);
                    running[lane].decrementAndGet();
                    done.countDown();
                });
            }
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(overlaps).hasValue(0);
        for (List<Integer> order : seen) {
            assertThat(order).hasSize(tasks).isSorted();
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheTasksAfterIt() throws InterruptedException {
        Lane lane = new Lane(pool);
        CountDownLatch after = new CountDownLatch(1);
        lane.execute(() -> {
            throw new IllegalStateException("boom (expected in this test)");
        });
        lane.execute(after::countDown);
        assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aRejectedTaskIsReportedAndTheLaneStaysUsable() throws InterruptedException {
        ExecutorService closed = Executors.newSingleThreadExecutor();
        closed.shutdown();
        Lane lane = new Lane(closed);
        assertThatThrownBy(() -> lane.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        // the rejected task is not left behind to block the lane
        assertThatThrownBy(() -> lane.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }
}
