package io.perpetua.client;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The files of one sandbox, from {@link Sandbox#files()}. Paths are absolute and are resolved by
 * the sandbox's own kernel, inside its root. Downloads and uploads are streamed, so files of any
 * size pass through without being held in memory; an upload replaces the file only once all of
 * it arrived.
 */
public final class Files {

    private static final int BUFFER = 64 * 1024;

    private final Http http;
    private final String path;

    Files(Http http, String sandboxPath) {
        this.http = http;
        this.path = sandboxPath + "/files";
    }

    /**
     * Opens a file for reading, streamed ({@code GET /files?path=}). The daemon's answer has
     * arrived when this returns, so a missing file fails here rather than while reading.
     *
     * @param file the file's absolute path in the sandbox
     * @return its bytes as they arrive; the caller must close it
     * @throws NotFoundException when there is no such file
     */
    public InputStream open(String file) {
        return http.open(download(file)).body();
    }

    /**
     * Reads a whole file into memory; meant for small files.
     *
     * @param file the file's absolute path in the sandbox
     * @return its bytes
     * @throws NotFoundException when there is no such file
     */
    public byte[] read(String file) {
        HttpRequest request = download(file);
        try (InputStream in = http.open(request).body()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw http.connectionLost(request, e);
        }
    }

    /**
     * Copies a file into {@code out}, streamed. {@code out} is left open.
     *
     * @param file the file's absolute path in the sandbox
     * @param out  where its bytes go
     * @return how many bytes were copied
     * @throws NotFoundException    when there is no such file; nothing was written then
     * @throws UncheckedIOException when writing to {@code out} fails
     */
    public long download(String file, OutputStream out) {
        Objects.requireNonNull(out, "out");
        HttpRequest request = download(file);
        try (InputStream in = http.open(request).body()) {
            return copy(in, out, request);
        } catch (IOException e) {
            throw http.connectionLost(request, e);
        }
    }

    /**
     * Copies a file into a local file, streamed, replacing what was there. The local file is
     * created only once the daemon answered; when the copy fails half way it is deleted.
     *
     * @param file      the file's absolute path in the sandbox
     * @param localFile where its bytes go
     * @return how many bytes were copied
     * @throws NotFoundException    when there is no such file
     * @throws UncheckedIOException when the local file cannot be written
     */
    public long download(String file, Path localFile) {
        Objects.requireNonNull(localFile, "localFile");
        HttpRequest request = download(file);
        try (InputStream in = http.open(request).body()) {
            return copyToFile(in, localFile, request);
        } catch (IOException e) {
            throw http.connectionLost(request, e);
        }
    }

    /**
     * Writes a whole file from memory ({@code PUT /files?path=}), creating or replacing it.
     *
     * @param file    the file's absolute path in the sandbox
     * @param content its new bytes
     * @return the file as written
     */
    public FileInfo write(String file, byte[] content) {
        Objects.requireNonNull(content, "content");
        return put(file, BodyPublishers.ofByteArray(content));
    }

    /**
     * Uploads a local file, streamed with its {@code Content-Length}, creating or replacing the
     * sandbox's file once every byte arrived.
     *
     * @param file      the file's absolute path in the sandbox
     * @param localFile the file to send
     * @return the file as written
     * @throws UncheckedIOException when the local file cannot be read
     */
    public FileInfo upload(String file, Path localFile) {
        Objects.requireNonNull(localFile, "localFile");
        try {
            return put(file, BodyPublishers.ofFile(localFile));
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException("cannot upload " + localFile + ": no such file", e);
        }
    }

    /**
     * Uploads {@code sizeBytes} bytes read from {@code content}, streamed, creating or replacing
     * the sandbox's file once every byte arrived. {@code content} is read on a thread of the HTTP
     * client; the caller closes it once this returns.
     *
     * @param file      the file's absolute path in the sandbox
     * @param content   the bytes to send
     * @param sizeBytes exactly how many bytes {@code content} holds (sent as {@code Content-Length})
     * @return the file as written
     * @throws PerpetuaException with the code {@link PerpetuaException#CONNECTION_LOST} when
     *                           {@code content} holds fewer bytes or cannot be read
     */
    public FileInfo upload(String file, InputStream content, long sizeBytes) {
        Objects.requireNonNull(content, "content");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must not be negative but was " + sizeBytes);
        }
        return put(file, BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> content), sizeBytes));
    }

    /**
     * Describes a file ({@code GET /files/stat?path=}); a symlink is described, not followed.
     *
     * @param file the file's absolute path in the sandbox
     * @return what it is
     * @throws NotFoundException when there is no such file
     */
    public FileInfo stat(String file) {
        return http.json(http.get(path + "/stat" + query("path", file)), FileInfo::from);
    }

    /**
     * Lists what is directly in a directory.
     *
     * @param directory the directory's absolute path in the sandbox
     * @return its entries
     */
    public FileListing list(String directory) {
        return list(directory, 1);
    }

    /**
     * Lists what is below a directory, down to {@code depth} levels ({@code GET /files/list}).
     *
     * @param directory the directory's absolute path in the sandbox
     * @param depth     1 for its direct entries, 2 to include theirs, and so on
     * @return its entries, and whether the daemon left some out
     * @throws IllegalArgumentException if {@code depth} is not positive
     */
    public FileListing list(String directory, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1 but was " + depth);
        }
        return http.json(http.get(path + "/list" + query("path", directory) + "&depth=" + depth), FileListing::from);
    }

    /**
     * Creates a directory and its missing parents, like {@code mkdir -p}.
     *
     * @param directory the directory's absolute path in the sandbox
     * @return the directory
     */
    public FileInfo mkdir(String directory) {
        return http.json(http.post(path + "/mkdir", Map.of("path", Validation.absolutePath(directory, "path"))), FileInfo::from);
    }

    /**
     * Moves or renames a file or directory.
     *
     * @param from      its absolute path in the sandbox
     * @param to        its new absolute path
     * @param overwrite whether to replace what is at {@code to}; without it that fails
     * @return the moved file, at {@code to}
     */
    public FileInfo move(String from, String to, boolean overwrite) {
        Map<String, Object> body = new RequestBody()
                .set("from", Validation.absolutePath(from, "from"))
                .set("to", Validation.absolutePath(to, "to"))
                .set("overwrite", overwrite ? Boolean.TRUE : null)
                .fields();
        return http.json(http.post(path + "/move", body), FileInfo::from);
    }

    /**
     * Deletes a file or directory.
     *
     * @param file      its absolute path in the sandbox
     * @param recursive whether to delete a directory with everything in it; without it only an
     *                  empty directory can be deleted
     * @throws NotFoundException when there is no such file
     */
    public void delete(String file, boolean recursive) {
        http.discard(http.delete(path + query("path", file) + (recursive ? "&recursive=true" : "")));
    }

    /** {@code GET /files?path=}, which answers the file's bytes rather than JSON. */
    private HttpRequest download(String file) {
        return http.request(path + query("path", file)).setHeader("Accept", "*/*").GET().build();
    }

    private FileInfo put(String file, BodyPublisher content) {
        HttpRequest request = http.request(path + query("path", file))
                .header("Content-Type", "application/octet-stream")
                .PUT(content)
                .build();
        return http.json(request, FileInfo::from);
    }

    private static String query(String name, String file) {
        return "?" + name + "=" + Http.queryValue(Validation.absolutePath(file, name));
    }

    /** Copies into {@code localFile}; a failed copy leaves no partial file behind. */
    private long copyToFile(InputStream in, Path localFile, HttpRequest request) {
        try (OutputStream out = java.nio.file.Files.newOutputStream(localFile)) {
            return copy(in, out, request);
        } catch (IOException e) {
            deleteQuietly(localFile);
            throw new UncheckedIOException("cannot write " + localFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(localFile);
            throw e;
        }
    }

    private static void deleteQuietly(Path localFile) {
        try {
            java.nio.file.Files.deleteIfExists(localFile);
        } catch (IOException e) {
            // The copy's own failure is what the caller needs to hear about.
        }
    }

    /** Copies until the end, telling a broken connection (a failed read) from a failed write. */
    private long copy(InputStream in, OutputStream out, HttpRequest request) {
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw http.connectionLost(request, e);
            }
            if (n < 0) {
                return total;
            }
            try {
                out.write(buffer, 0, n);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write what was read from " + Http.describe(request)
                        + ": " + e.getMessage(), e);
            }
            total += n;
        }
    }
}
