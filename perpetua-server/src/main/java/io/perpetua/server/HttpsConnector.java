package io.perpetua.server;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The API's listener when the daemon has a certificate: HTTPS only, HTTP/1.1, on the configured address. */
final class HttpsConnector {

    private HttpsConnector() {
    }

    static ServerConnector create(Server server, HttpConfiguration http, ServerConfig config) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(config.tls().keyStore());
        tls.setKeyStorePassword(new String(TlsIdentity.PASSWORD));
        tls.setCertAlias(TlsIdentity.ALIAS);
        HttpConfiguration https = new HttpConfiguration(http);
        https.addCustomizer(new SecureRequestCustomizer());
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(https));
        connector.setHost(config.host());
        connector.setPort(config.port());
        return connector;
    }
}
