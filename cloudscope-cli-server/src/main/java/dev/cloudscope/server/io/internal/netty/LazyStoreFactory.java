package dev.cloudscope.server.io.internal.netty;

import com.corundumstudio.socketio.store.MemoryStoreFactory;
import com.corundumstudio.socketio.store.Store;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * netty-socketio's in-memory store, whose per-client map (a ConcurrentHashMap, 64 bytes) is created on the first
 * {@code set}: we never set anything in it, and it used to be created for every client.
 */
final class LazyStoreFactory extends MemoryStoreFactory {

    @Override
    public Store createStore(UUID sessionId) {
        return new LazyStore();
    }

    private static final class LazyStore implements Store {

        private volatile Map<String, Object> map;

        @Override
        public void set(String key, Object value) {
            Map<String, Object> m = map;
            if (m == null) {
                synchronized (this) {
                    if (map == null) {
                        map = new ConcurrentHashMap<>();
                    }
                    m = map;
                }
            }
            m.put(key, value);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get(String key) {
            Map<String, Object> m = map;
            return m == null ? null : (T) m.get(key);
        }

        @Override
        public boolean has(String key) {
            Map<String, Object> m = map;
            return m != null && m.containsKey(key);
        }

        @Override
        public void del(String key) {
            Map<String, Object> m = map;
            if (m != null) {
                m.remove(key);
            }
        }
    }
}
