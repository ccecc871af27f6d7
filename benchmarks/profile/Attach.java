import com.sun.tools.attach.VirtualMachine;

/**
 * Loads an agent into a running JVM: {@code java Attach.java <pid> <agent library> <options>}.
 * {@code profile-allowed.sh} starts and stops async-profiler with it once the application is warm,
 * so that the profile holds the measured load and not the JIT's warm-up.
 */
public final class Attach {

	public static void main(String[] args) throws Exception {
		VirtualMachine vm = VirtualMachine.attach(args[0]);
		try {
			vm.loadAgentPath(args[1], args[2]);
		}
		finally {
			vm.detach();
		}
	}

}
