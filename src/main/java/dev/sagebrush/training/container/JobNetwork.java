package dev.sagebrush.training.container;

import dev.sagebrush.jobs.Commands;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private network of a job with several hosts: a bridge of its own (internal, with no route out, when the job
 * asks for network isolation) on which {@code algo-1..N} reach each other by name, as on SageMaker. With podman each
 * host gets a fixed address in the network's subnet and every host's name in its {@code /etc/hosts} (podman's CNI
 * backend on Debian has no DNS for container names); docker's embedded DNS resolves the network aliases. Removed with
 * the job.
 */
final class JobNetwork implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobNetwork.class);

    private final ContainerEngine engine;
    private final String name;
    private final Map<String, String> addresses;

    private JobNetwork(ContainerEngine engine, String name, Map<String, String> addresses) {
        this.engine = engine;
        this.name = name;
        this.addresses = addresses;
    }

    static JobNetwork create(ContainerEngine engine, String name, String owner, boolean internal, List<String> hosts)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("network", "create", "--label", Containers.OWNER_LABEL + "=" + owner));
        if (internal) args.add("--internal");
        args.add(name);
        check(engine.run(args, ContainerEngine.COMMAND_TIMEOUT), "create the job's network " + name);
        JobNetwork network = new JobNetwork(engine, name, new LinkedHashMap<>());
        try {
            if (engine.kind() == ContainerEngine.Kind.PODMAN) {
                Commands.Result subnet = engine.run(List.of("network", "inspect", "--format",
                        "{{range .Subnets}}{{.Subnet}} {{end}}", name), ContainerEngine.COMMAND_TIMEOUT);
                check(subnet, "read the subnet of the job's network " + name);
                network.addresses.putAll(addresses(subnet.output().strip().split("\\s+")[0], hosts));
            }
        } catch (IOException | RuntimeException e) {
            network.close();
            throw e;
        }
        return network;
    }

    /** Host {@code i} (0-based) gets the subnet's address {@code .2 + i}: {@code .1} is the bridge's gateway. */
    static Map<String, String> addresses(String cidr, List<String> hosts) throws IOException {
        String[] p = cidr.split("/");
        String[] o = p[0].split("\\.");
        if (p.length != 2 || o.length != 4) throw new IOException("unexpected subnet '" + cidr + "' (IPv4 expected)");
        long base = 0;
        for (String octet : o) base = (base << 8) | Integer.parseInt(octet);
        int bits = Integer.parseInt(p[1]);
        if ((1L << (32 - bits)) < hosts.size() + 3) {
            throw new IOException("subnet " + cidr + " is too small for " + hosts.size() + " hosts");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            long a = base + 2 + i;
            out.put(hosts.get(i), ((a >> 24) & 255) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255));
        }
        return out;
    }

    /** The run arguments that put {@code host} on this network under its name. */
    List<String> arguments(String host, boolean podman) {
        List<String> a = new ArrayList<>(List.of("--network", name));
        if (!podman) {
            a.addAll(List.of("--network-alias", host));
            return a;
        }
        a.addAll(List.of("--ip", addresses.get(host)));
        addresses.forEach((h, ip) -> a.addAll(List.of("--add-host", h + ":" + ip)));
        return a;
    }

    @Override
    public void close() {
        Commands.Result r = engine.run(List.of("network", "rm", "-f", name), ContainerEngine.COMMAND_TIMEOUT);
        if (!r.ok()) log.warn("Could not remove the training network {}: {}", name, r.output().strip());
    }

    private static void check(Commands.Result r, String what) throws IOException {
        if (!r.ok()) throw new IOException("Could not " + what + ": " + Commands.lastLines(r.output(), 3));
    }
}
