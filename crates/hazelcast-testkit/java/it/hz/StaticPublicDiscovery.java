package it.hz;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.config.properties.PropertyTypeConverter;
import com.hazelcast.config.properties.SimplePropertyDefinition;
import com.hazelcast.logging.ILogger;
import com.hazelcast.spi.discovery.AbstractDiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.DiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryStrategyFactory;
import com.hazelcast.spi.discovery.SimpleDiscoveryNode;

import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Test scaffolding of hazelcast-testkit: a Discovery SPI strategy returning fixed
 * private/public address pairs, so members advertise {@code (CLIENT, "public")} in their address map.
 * Property {@code nodes}: {@code private=public,private=public,...} with {@code host:port} addresses.
 */
public class StaticPublicDiscovery extends AbstractDiscoveryStrategy {
    static final PropertyDefinition NODES = new SimplePropertyDefinition("nodes", PropertyTypeConverter.STRING);

    private final List<DiscoveryNode> nodes = new ArrayList<>();

    public StaticPublicDiscovery(ILogger logger, Map<String, Comparable> properties) {
        super(logger, properties);
        String spec = getOrDefault(NODES, "");
        for (String pair : spec.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] parts = pair.trim().split("=", 2);
            try {
                nodes.add(new SimpleDiscoveryNode(address(parts[0]), address(parts[1])));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("bad address in " + pair, e);
            }
        }
    }

    private static Address address(String hostPort) throws UnknownHostException {
        int colon = hostPort.lastIndexOf(':');
        return new Address(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    @Override
    public Iterable<DiscoveryNode> discoverNodes() {
        return nodes;
    }

    /** The factory named in META-INF/services. */
    public static class Factory implements DiscoveryStrategyFactory {
        @Override
        public Class<? extends DiscoveryStrategy> getDiscoveryStrategyType() {
            return StaticPublicDiscovery.class;
        }

        @Override
        public DiscoveryStrategy newDiscoveryStrategy(DiscoveryNode node, ILogger logger,
                                                      Map<String, Comparable> properties) {
            return new StaticPublicDiscovery(logger, properties);
        }

        @Override
        public Collection<PropertyDefinition> getConfigurationProperties() {
            return List.of(NODES);
        }
    }
}
