package io.perpetua.store.sqlite;

import io.perpetua.error.RuntimeFailureException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Runs work in one transaction: committed when it returns, rolled back when it throws. */
final class Transactions {

    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    interface VoidWork {
        void run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;

    Transactions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * @param what what the work does, for the error message ("insert sandbox sb…")
     * @throws RuntimeFailureException with code {@code store_failure} if the database failed
     */
    void execute(String what, VoidWork work) {
        run(what, connection -> {
            work.run(connection);
            return null;
        });
    }

    /** Like {@link #execute}, returning what the work returns. */
    <T> T run(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new RuntimeFailureException("store_failure", "cannot " + what + ": " + e.getMessage(), e);
        }
    }
}
