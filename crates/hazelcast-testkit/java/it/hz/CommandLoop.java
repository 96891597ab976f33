package it.hz;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The line protocol of the test kit's Java client programs: the official Java client (from the
 * member jar) connected to a test cluster and driven by commands on stdin.
 *
 * <p>Arguments: the cluster name, then the member addresses ({@code host:port}). The program
 * connects (at most 60 s), prints {@code READY <client uuid>} and then answers one command per
 * stdin line (its words separated by single spaces): zero or more lines followed by {@code END},
 * or a single {@code ERR <class>: <message>} line when the command threw. {@code quit} or the end
 * of stdin shuts the client down and exits.
 */
final class CommandLoop {

    /** One command set: answers the words of a command line. */
    interface Commands {
        List<String> run(HazelcastInstance client, String[] words) throws Exception;
    }

    private CommandLoop() {
    }

    /** Connects with {@code configure} applied to the client configuration and serves {@code commands}. */
    static void serve(String program, String[] args, Consumer<ClientConfig> configure, Commands commands) {
        Logger.getLogger("").setLevel(Level.WARNING);
        if (args.length < 2) {
            System.err.println("usage: " + program + " <cluster name> <host:port>...");
            System.exit(2);
        }
        ClientConfig config = new ClientConfig();
        config.setClusterName(args[0]);
        for (int i = 1; i < args.length; i++) {
            config.getNetworkConfig().addAddress(args[i]);
        }
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(60_000);
        configure.accept(config);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        try {
            out.println("READY " + client.getLocalEndpoint().getUuid());
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split(" ");
                if (words[0].equals("quit")) {
                    break;
                }
                try {
                    for (String answer : commands.run(client, words)) {
                        out.println(answer);
                    }
                    out.println("END");
                } catch (Exception e) {
                    out.println("ERR " + e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
                }
                out.flush();
            }
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            client.shutdown();
        }
    }
}
