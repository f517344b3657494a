package dev.sagebrush.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Hostile model archives for CreateCompilationJob: mutated XGBoost models (byte flips in JSON, UBJSON and legacy
 * binary files, huge counts, non-finite values), zero-cost UBJSON containers, decompression bombs, links and
 * escaping paths, random bytes posing as tar.gz.
 */
final class ModelAttacks {
    private static final String[] FIXTURES = {"binary_logistic.json", "binary_logistic.ubj", "binary_logistic.model",
        "multi_softprob.ubj", "dart.model", "count_poisson.json"};
    private final List<byte[]> models = new ArrayList<>();
    private final byte[] bomb;
    private final byte[] ubjsonNulls;

    ModelAttacks() {
        for (String f : FIXTURES) {
            try (InputStream in = ModelAttacks.class.getClassLoader().getResourceAsStream("fixtures/xgboost/" + f)) {
                models.add(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        bomb = zeros(512L << 20);
        ubjsonNulls = ubjsonNulls(50_000);
    }

    /** An archive and what it is, for the report. */
    record Archive(String kind, byte[] bytes) {}

    Archive next(SplittableRandom rnd) {
        switch (rnd.nextInt(9)) {
            case 0: return new Archive("random-bytes", JsonMutations.randomBytes(rnd, rnd.nextInt(1, 5000)));
            case 1: return new Archive("gzip-bomb", bomb);
            case 2: return new Archive("ubjson-nulls", tar("model.ubj", ubjsonNulls));
            case 3: return new Archive("escaping-path", tar(new String[] {"../../x", "/etc/x", "a/../../b"}[rnd.nextInt(3)],
                    models.get(0)));
            case 4: {
                String json = new String(models.get(0), StandardCharsets.UTF_8);
                String field = new String[] {"\"num_feature\":\"10\"", "\"num_class\":\"0\""}[rnd.nextInt(2)];
                String value = new String[] {"2147483647", "-5", "99999999999999", "1e9", "0"}[rnd.nextInt(5)];
                return new Archive("json-counts", tar("model.json", json.replace(field,
                        field.substring(0, field.indexOf(':') + 1) + "\"" + value + "\"")
                        .getBytes(StandardCharsets.UTF_8)));
            }
            case 5: {
                byte[] m = models.get(2).clone(); // legacy binary: num_feature / num_class / counts patched
                ByteBuffer b = ByteBuffer.wrap(m).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.putInt(4 + 4 * rnd.nextInt(1, 3), rnd.nextBoolean() ? Integer.MAX_VALUE : rnd.nextInt());
                return new Archive("legacy-counts", tar("xgboost-model", m));
            }
            default: {
                int which = rnd.nextInt(models.size());
                byte[] m = models.get(which).clone();
                int flips = rnd.nextInt(1, 8);
                for (int i = 0; i < flips; i++) m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
                return new Archive("flipped-" + FIXTURES[which], tar(FIXTURES[which], m));
            }
        }
    }

    private static byte[] tar(String name, byte[] content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] zeros(long size) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            TarArchiveEntry e = new TarArchiveEntry("xgboost-model");
            e.setSize(size);
            tar.putArchiveEntry(e);
            byte[] z = new byte[1 << 20];
            for (long w = 0; w < size; w += z.length) tar.write(z);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] ubjsonNulls(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'{', 'U', 7});
        out.writeBytes("learner".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {'[', '$', '[', '#', 'l'});
        out.writeBytes(ByteBuffer.allocate(4).putInt(n).array());
        for (int i = 0; i < n; i++) {
            out.writeBytes(new byte[] {'$', 'Z', '#', 'l'});
            out.writeBytes(ByteBuffer.allocate(4).putInt((n - i - 1) * 8).array());
        }
        out.write('}');
        return out.toByteArray();
    }
}
