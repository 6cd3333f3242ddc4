package dev.ferrymta.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.List;

/**
 * Counts or deletes the benchmark's queues and exchanges over AMQP.
 *
 * <pre>
 * BenchQueues AMQP_URI count QUEUE...           one line "QUEUE MESSAGES" each ("QUEUE absent" if missing)
 * BenchQueues AMQP_URI delete QUEUE...          deletes queues; a missing one is fine
 * BenchQueues AMQP_URI delete-exchange NAME...  deletes exchanges; a missing one is fine
 * </pre>
 */
public final class BenchQueues {

    private static final String PROGRAM = "BenchQueues";

    private BenchQueues() {
    }

    public static void main(String[] args) {
        BenchLogging.quiet();
        Args.exitOnUsageError(PROGRAM, () -> System.exit(run(args)));
    }

    private static int run(String[] args) throws Exception {
        if (args.length < 2) {
            throw new Args.UsageException(PROGRAM + ": usage: BenchQueues AMQP_URI count|delete|delete-exchange NAME...");
        }
        var factory = Amqp.factory(args[0]);
        List<String> names = List.of(args).subList(2, args.length);
        int status = 0;
        try (Connection connection = factory.newConnection("ferry bench BenchQueues")) {
            for (String name : names) {
                // A failed operation closes its channel: one channel each.
                try (Channel channel = connection.createChannel()) {
                    switch (args[1]) {
                        case "count" -> System.out.println(name + " " + channel.queueDeclarePassive(name).getMessageCount());
                        case "delete" -> {
                            var deleted = channel.queueDelete(name);
                            System.out.println("deleted queue " + name + " (" + deleted.getMessageCount() + " messages)");
                        }
                        case "delete-exchange" -> {
                            channel.exchangeDelete(name);
                            System.out.println("deleted exchange " + name);
                        }
                        default -> throw new Args.UsageException(PROGRAM + ": unknown action '" + args[1] + "'");
                    }
                } catch (IOException e) {
                    if (args[1].equals("count")) {
                        System.out.println(name + " absent");
                    } else {
                        System.err.println(PROGRAM + ": " + args[1] + " " + name + ": " + rootMessage(e));
                        status = 1;
                    }
                } catch (com.rabbitmq.client.AlreadyClosedException e) {
                    // Closing a channel the broker already closed after the failure above.
                }
            }
        }
        return status;
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }
}
