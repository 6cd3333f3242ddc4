package dev.ferrymta.bench;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.util.List;

/**
 * Counts, empties or deletes the benchmark's queues and exchanges over AMQP.
 *
 * <pre>
 * BenchQueues AMQP_URI count QUEUE...           one line "QUEUE MESSAGES" each ("QUEUE absent" if missing)
 * BenchQueues AMQP_URI delete QUEUE...          deletes queues; a missing one is fine
 * BenchQueues AMQP_URI purge QUEUE...           empties queues ("purged QUEUE (N messages)"); a missing one is an error
 * BenchQueues AMQP_URI delete-exchange NAME...  deletes exchanges; a missing one is fine
 * BenchQueues AMQP_URI declare QUEUE EXCHANGE KEY declares a durable classic queue (no arguments) and binds it to a
 *                                               durable direct exchange (declared if missing) with KEY
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
            throw new Args.UsageException(PROGRAM + ": usage: BenchQueues AMQP_URI count|delete|purge|delete-exchange NAME... or declare QUEUE EXCHANGE KEY");
        }
        var factory = Amqp.factory(args[0]);
        if (args[1].equals("declare")) {
            return declare(factory, args);
        }
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
                        case "purge" -> {
                            var purged = channel.queuePurge(name);
                            System.out.println("purged " + name + " (" + purged.getMessageCount() + " messages)");
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

    private static int declare(ConnectionFactory factory, String[] args) throws Exception {
        if (args.length != 5) {
            throw new Args.UsageException(PROGRAM + ": usage: BenchQueues AMQP_URI declare QUEUE EXCHANGE KEY");
        }
        try (Connection connection = factory.newConnection("ferry bench BenchQueues");
                Channel channel = connection.createChannel()) {
            channel.exchangeDeclare(args[3], BuiltinExchangeType.DIRECT, true);
            channel.queueDeclare(args[2], true, false, false, Amqp.queueArguments());
            channel.queueBind(args[2], args[3], args[4]);
            System.out.println("declared queue " + args[2] + ", bound to " + args[3] + " with key " + args[4]);
        }
        return 0;
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return String.valueOf(cause.getMessage());
    }
}
