package it.hz;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Test scaffolding of hazelcast-testkit: a TLS terminator built on the JDK's own TLS stack (JSSE),
 * an implementation independent of the client's rustls. It accepts TLS on loopback ports and
 * forwards the plaintext to target addresses, both ways.
 *
 * <p>Usage: {@code java it.hz.TlsFront <config file>}. The configuration has one {@code key=value}
 * per line:
 *
 * <ul>
 *   <li>{@code cert}: PEM certificate chain of the server (leaf first);
 *   <li>{@code key}: its unencrypted PKCS#8 PEM private key (EC or RSA);
 *   <li>{@code client_ca} (optional): require a client certificate chaining to this PEM CA;
 *   <li>{@code protocols}: comma-separated JSSE protocol names ({@code TLSv1.2,TLSv1.3});
 *   <li>{@code cipher_suites} (optional): comma-separated JSSE (IANA) cipher suite names;
 *   <li>{@code service} (repeated): {@code <listen host>:<port> <target host>:<port>}.
 * </ul>
 *
 * <p>Once every service listens it prints {@code READY <port> <port> ...} on stdout. It logs one line
 * per connection and per failed handshake on stdout. It never reads a password: keys are unencrypted.
 *
 * <p>Client authentication mimics what OpenSSL servers say when a client sends no certificate: with
 * TLS 1.3 a {@code certificate_required} alert after the handshake (JSSE itself would send
 * {@code bad_certificate}), with TLS 1.2 a {@code handshake_failure} alert during the handshake.
 * A certificate that does not chain to {@code client_ca} is rejected by JSSE during the handshake.
 */
public final class TlsFront {
    private static final PrintStream OUT = System.out;
    private static final AtomicLong CONNECTIONS = new AtomicLong();

    private TlsFront() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: TlsFront <config file>");
            System.exit(2);
        }
        String certPath = null;
        String keyPath = null;
        String clientCa = null;
        String[] protocols = {"TLSv1.2", "TLSv1.3"};
        String[] suites = null;
        List<String[]> services = new ArrayList<>();
        for (String raw : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("not key=value: " + line);
            }
            String key = line.substring(0, eq).trim();
            String value = line.substring(eq + 1).trim();
            switch (key) {
                case "cert": certPath = value; break;
                case "key": keyPath = value; break;
                case "client_ca": clientCa = value; break;
                case "protocols": protocols = value.split(","); break;
                case "cipher_suites": suites = value.split(","); break;
                case "service": services.add(value.split("\\s+")); break;
                default: throw new IllegalArgumentException("unknown key " + key);
            }
        }
        if (certPath == null || keyPath == null || services.isEmpty()) {
            throw new IllegalArgumentException("cert, key and at least one service are required");
        }
        X509Certificate[] chain = readCertificates(Paths.get(certPath)).toArray(new X509Certificate[0]);
        if (chain.length == 0) {
            throw new IllegalArgumentException("no certificate in " + certPath);
        }
        PrivateKey key = readKey(Paths.get(keyPath), chain[0].getPublicKey().getAlgorithm());

        TrustManager[] trust = null;
        if (clientCa != null) {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            int i = 0;
            for (X509Certificate ca : readCertificates(Paths.get(clientCa))) {
                ts.setCertificateEntry("ca" + i++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(ts);
            trust = tmf.getTrustManagers();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new X509ExtendedKeyManager[] {new SingleKeyManager(chain, key)}, trust, null);

        Tls tls = new Tls(context, protocols, suites, clientCa != null);
        List<ServerSocket> listeners = new ArrayList<>();
        StringBuilder ready = new StringBuilder("READY");
        for (String[] service : services) {
            if (service.length != 2) {
                throw new IllegalArgumentException("service needs <listen> <target>: " + String.join(" ", service));
            }
            InetSocketAddress listen = parse(service[0]);
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(listen, 128);
            listeners.add(server);
            ready.append(' ').append(server.getLocalPort());
        }
        for (int i = 0; i < listeners.size(); i++) {
            ServerSocket server = listeners.get(i);
            InetSocketAddress target = parse(services.get(i)[1]);
            Thread t = new Thread(() -> acceptLoop(server, target, tls), "accept-" + i);
            t.setDaemon(false);
            t.start();
        }
        log(ready.toString());
    }

    /** What every accepted connection gets: the context and the enabled versions and suites. */
    private static final class Tls {
        final SSLContext context;
        final String[] protocols;
        final String[] suites;
        final boolean requireClientCert;

        Tls(SSLContext context, String[] protocols, String[] suites, boolean requireClientCert) {
            this.context = context;
            this.protocols = protocols;
            this.suites = suites;
            this.requireClientCert = requireClientCert;
        }

        SSLSocket wrap(Socket plain) throws IOException {
            Socket under = requireClientCert ? new SniffedSocket(plain) : plain;
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(under, null, plain.getPort(), true);
            tls.setUseClientMode(false);
            tls.setEnabledProtocols(protocols);
            if (suites != null) {
                tls.setEnabledCipherSuites(suites);
            }
            if (requireClientCert) {
                // Requested, not required: a missing certificate is refused below (and by
                // SniffedSocket) with the alert an OpenSSL server sends.
                tls.setWantClientAuth(true);
            }
            return tls;
        }
    }

    private static void acceptLoop(ServerSocket server, InetSocketAddress target, Tls tls) {
        while (true) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                log("accept on " + server.getLocalPort() + " failed: " + e);
                return;
            }
            long id = CONNECTIONS.incrementAndGet();
            Thread t = new Thread(() -> serve(id, socket, target, tls), "conn-" + id);
            t.setDaemon(true);
            t.start();
        }
    }

    private static void serve(long id, Socket socket, InetSocketAddress target, Tls config) {
        String peer = String.valueOf(socket.getRemoteSocketAddress());
        SSLSocket tls;
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            tls = config.wrap(socket);
            tls.startHandshake();
            tls.setSoTimeout(0);
        } catch (IOException e) {
            log("conn " + id + " from " + peer + ": handshake failed: " + e);
            closeQuietly(socket);
            return;
        }
        boolean requireClientCert = config.requireClientCert;
        String protocol = tls.getSession().getProtocol();
        if (requireClientCert && !hasPeerCertificate(tls)) {
            log("conn " + id + " from " + peer + " (" + protocol + "): no client certificate, rejected");
            reject(tls, protocol);
            return;
        }
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(target, 10_000);
        } catch (IOException e) {
            log("conn " + id + " from " + peer + ": connect to " + target + " failed: " + e);
            closeQuietly(tls);
            closeQuietly(plain);
            return;
        }
        log("conn " + id + " from " + peer + " (" + protocol + ", " + tls.getSession().getCipherSuite()
                + ") -> " + target);
        Thread up = new Thread(() -> pump(tls, plain), "up-" + id);
        up.setDaemon(true);
        up.start();
        pump(plain, tls);
    }

    private static boolean hasPeerCertificate(SSLSocket tls) {
        try {
            Certificate[] certs = tls.getSession().getPeerCertificates();
            return certs != null && certs.length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /**
     * Ends a connection whose client sent no certificate. TLS 1.3: a fatal
     * {@code certificate_required} alert (RFC 8446 4.4.2.4), through JSSE's own alert path (the
     * JVM runs with {@code --add-opens java.base/sun.security.ssl=ALL-UNNAMED}). If that internal
     * path is unavailable the connection is just closed.
     */
    private static void reject(SSLSocket tls, String protocol) {
        try {
            Field f = tls.getClass().getDeclaredField("conContext");
            f.setAccessible(true);
            Object context = f.get(tls);
            Class<?> alertClass = Class.forName("sun.security.ssl.Alert");
            Object alert = null;
            String name = "TLSv1.3".equals(protocol) ? "CERTIFICATE_REQUIRED" : "HANDSHAKE_FAILURE";
            for (Object constant : alertClass.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(name)) {
                    alert = constant;
                }
            }
            Method fatal = context.getClass().getDeclaredMethod("fatal", alertClass, String.class);
            fatal.setAccessible(true);
            fatal.invoke(context, alert, "client certificate required");
        } catch (ReflectiveOperationException | RuntimeException e) {
            log("could not send the alert (" + e + "); closing");
        }
        closeQuietly(tls);
    }

    private static void pump(Socket from, Socket to) {
        byte[] buf = new byte[64 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // Either side went away: close both below.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    private static synchronized void log(String line) {
        OUT.println(line);
        OUT.flush();
    }

    private static InetSocketAddress parse(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not host:port: " + hostPort);
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static List<X509Certificate> readCertificates(Path path) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(path)) {
            Collection<? extends Certificate> certs = cf.generateCertificates(in);
            for (Certificate c : certs) {
                out.add((X509Certificate) c);
            }
        }
        return out;
    }

    private static PrivateKey readKey(Path path, String algorithm) throws Exception {
        StringBuilder b64 = new StringBuilder();
        boolean inside = false;
        try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("-----BEGIN PRIVATE KEY-----")) {
                    inside = true;
                } else if (line.startsWith("-----END PRIVATE KEY-----")) {
                    break;
                } else if (inside) {
                    b64.append(line.trim());
                }
            }
        }
        if (b64.length() == 0) {
            throw new IllegalArgumentException(path + " holds no unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY)");
        }
        byte[] der = Base64.getDecoder().decode(b64.toString());
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /**
     * The accepted TCP socket under the TLS layer, with an input stream that watches the client's
     * plaintext handshake messages. A TLS 1.2 client that answers the certificate request with an
     * empty Certificate message gets a {@code handshake_failure} alert, as from an OpenSSL server
     * (JSSE would either send {@code bad_certificate} or, with the certificate only requested,
     * finish the handshake). The alert is written in plaintext, which is right at that point: the
     * server has not sent ChangeCipherSpec yet. TLS 1.3 encrypts the client's Certificate message,
     * so nothing is seen there and the check after the handshake applies.
     */
    private static final class SniffedSocket extends Socket {
        private static final byte[] HANDSHAKE_FAILURE = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
        private final Socket s;
        private final InputStream in;

        SniffedSocket(Socket s) throws IOException {
            this.s = s;
            this.in = new Sniffer(s);
        }

        @Override public InputStream getInputStream() { return in; }
        @Override public OutputStream getOutputStream() throws IOException { return s.getOutputStream(); }
        @Override public boolean isConnected() { return s.isConnected(); }
        @Override public boolean isBound() { return s.isBound(); }
        @Override public boolean isClosed() { return s.isClosed(); }
        @Override public synchronized void close() throws IOException { s.close(); }
        @Override public InetAddress getInetAddress() { return s.getInetAddress(); }
        @Override public InetAddress getLocalAddress() { return s.getLocalAddress(); }
        @Override public int getPort() { return s.getPort(); }
        @Override public int getLocalPort() { return s.getLocalPort(); }
        @Override public java.net.SocketAddress getRemoteSocketAddress() { return s.getRemoteSocketAddress(); }
        @Override public java.net.SocketAddress getLocalSocketAddress() { return s.getLocalSocketAddress(); }
        @Override public synchronized void setSoTimeout(int t) throws java.net.SocketException { s.setSoTimeout(t); }
        @Override public synchronized int getSoTimeout() throws java.net.SocketException { return s.getSoTimeout(); }
        @Override public void setTcpNoDelay(boolean on) throws java.net.SocketException { s.setTcpNoDelay(on); }
        @Override public boolean getTcpNoDelay() throws java.net.SocketException { return s.getTcpNoDelay(); }
        @Override public void setSoLinger(boolean on, int l) throws java.net.SocketException { s.setSoLinger(on, l); }
        @Override public int getSoLinger() throws java.net.SocketException { return s.getSoLinger(); }
        @Override public void setKeepAlive(boolean on) throws java.net.SocketException { s.setKeepAlive(on); }
        @Override public boolean getKeepAlive() throws java.net.SocketException { return s.getKeepAlive(); }
        @Override public void shutdownInput() throws IOException { s.shutdownInput(); }
        @Override public void shutdownOutput() throws IOException { s.shutdownOutput(); }
        @Override public boolean isInputShutdown() { return s.isInputShutdown(); }
        @Override public boolean isOutputShutdown() { return s.isOutputShutdown(); }
        @Override public String toString() { return "Sniffed" + s; }

        /** Passes bytes through, parsing plaintext handshake records until ChangeCipherSpec. */
        private static final class Sniffer extends InputStream {
            private final Socket s;
            private final InputStream in;
            private final byte[] header = new byte[5];
            private int headerLen;
            private int recordLeft;
            private int recordType;
            private boolean done;
            private final java.io.ByteArrayOutputStream handshake = new java.io.ByteArrayOutputStream();

            Sniffer(Socket s) throws IOException {
                this.s = s;
                this.in = s.getInputStream();
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0 && !done && feed(b, off, n)) {
                    log("TLS 1.2 client sent no certificate: handshake_failure");
                    try {
                        OutputStream out = s.getOutputStream();
                        out.write(HANDSHAKE_FAILURE);
                        out.flush();
                    } finally {
                        s.close();
                    }
                    throw new SSLException("client sent no certificate (TLS 1.2); sent handshake_failure");
                }
                return n;
            }

            @Override
            public int available() throws IOException {
                return in.available();
            }

            @Override
            public void close() throws IOException {
                in.close();
            }

            /** Returns true when an empty client Certificate message went by. */
            private boolean feed(byte[] b, int off, int n) {
                int i = off;
                int end = off + n;
                while (i < end && !done) {
                    if (recordLeft == 0) {
                        header[headerLen++] = b[i++];
                        if (headerLen == 5) {
                            headerLen = 0;
                            recordType = header[0] & 0xff;
                            recordLeft = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
                            if (recordType != 22) {
                                // ChangeCipherSpec, alert or application data: from here on
                                // the handshake is encrypted (or over).
                                done = true;
                            }
                        }
                        continue;
                    }
                    int take = Math.min(recordLeft, end - i);
                    handshake.write(b, i, take);
                    i += take;
                    recordLeft -= take;
                    if (parseMessages()) {
                        return true;
                    }
                }
                return false;
            }

            private boolean parseMessages() {
                byte[] hs = handshake.toByteArray();
                int p = 0;
                while (hs.length - p >= 4) {
                    int type = hs[p] & 0xff;
                    int len = ((hs[p + 1] & 0xff) << 16) | ((hs[p + 2] & 0xff) << 8) | (hs[p + 3] & 0xff);
                    if (hs.length - p - 4 < len) {
                        break;
                    }
                    if (type == 11 && len >= 3 && hs[p + 4] == 0 && hs[p + 5] == 0 && hs[p + 6] == 0) {
                        return true;
                    }
                    p += 4 + len;
                }
                handshake.reset();
                handshake.write(hs, p, hs.length - p);
                if (handshake.size() > (1 << 18)) {
                    done = true;
                }
                return false;
            }
        }
    }

    /**
     * Always offers the one configured key and chain (for a matching key type), whatever its
     * validity dates or names: the tests present expired and wrong-host certificates on purpose.
     */
    private static final class SingleKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "server";
        private final X509Certificate[] chain;
        private final PrivateKey key;

        SingleKeyManager(X509Certificate[] chain, PrivateKey key) {
            this.chain = chain;
            this.key = key;
        }

        private String match(String keyType) {
            String alg = key.getAlgorithm();
            if (keyType == null) {
                return null;
            }
            if (keyType.equalsIgnoreCase(alg) || (alg.equals("EC") && keyType.startsWith("EC"))) {
                return ALIAS;
            }
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            String a = match(keyType);
            return a == null ? null : new String[] {a};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return match(keyType);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return match(keyType);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }
}
