package dev.sagebrush.store;

import java.sql.Connection;
import java.sql.SQLException;

/** How a SQL store gets its connections: one transaction per write, durable on return; reads see committed data. */
interface Transactor extends AutoCloseable {
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    <T> T write(Work<T> work);

    <T> T read(Work<T> work);

    @Override
    void close();
}
