package dev.cloudscope.bench;

import com.sun.tools.attach.VirtualMachine;

/**
 * Loads a native agent into a running JVM with its options passed verbatim (jcmd's JVMTI.agent_load does not pass
 * async-profiler's comma-separated options through): {@code Attach PID LIBRARY OPTIONS}. bench/profile.sh uses it
 * to start and stop async-profiler around the measured window.
 */
public final class Attach {

    private Attach() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: Attach PID LIBRARY OPTIONS");
            System.exit(2);
        }
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        try {
            vm.loadAgentPath(args[1], args[2]);
        } finally {
            vm.detach();
        }
    }
}
