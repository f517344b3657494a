package dev.sagebrush.cli;

import java.net.BindException;

/**
 * A start-up on a port another process holds is an everyday mistake, not a crash: it is answered with one line that
 * says what to do, instead of Undertow's stack trace.
 */
final class PortInUse {
    private PortInUse() {}

    static boolean causedBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) return true;
        }
        return false;
    }

    /**
     * True when host:port cannot be bound now. Checked before anything starts, so a busy port does not first start
     * controllers and notebook instances that would then be torn down again (the bind itself is still checked).
     */
    static boolean isBusy(String host, int port) {
        if (port == 0) return false;
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(host, port));
            return false;
        } catch (BindException e) {
            return true;
        } catch (java.io.IOException e) {
            return false; // not a port conflict (e.g. an unknown host): let the server's own start report it
        }
    }

    static String message(String host, int port) {
        return "sagebrush: cannot listen on " + host + ":" + port + ": the address is already in use (another "
                + "Sagebrush or another program holds it). Stop it, or start on another port with --port N "
                + "(or SAGEBRUSH_PORT=N).";
    }
}
