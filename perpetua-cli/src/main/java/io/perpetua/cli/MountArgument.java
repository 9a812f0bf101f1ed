package io.perpetua.cli;

import io.perpetua.client.Mount;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A volume or drive to mount as the command line gives it: {@code NAME:/PATH}, or
 * {@code NAME:/PATH:ro} to mount it read-only ({@code :rw}, the default, may be written out). The
 * name may be the volume's id too; neither holds a colon.
 *
 * @param idOrName  the volume's or drive's id or name
 * @param mountPath where it appears in the sandbox
 * @param readOnly  whether it is mounted read-only
 */
record MountArgument(String idOrName, String mountPath, boolean readOnly) {

    /** How the argument is written, for help texts and messages. */
    static final String FORMAT = "NAME:/PATH[:ro]";

    Mount volume() {
        return Mount.volume(idOrName, mountPath, readOnly);
    }

    Mount drive() {
        return Mount.drive(idOrName, mountPath, readOnly);
    }

    /** Reads {@code NAME:/PATH[:ro]}; picocli reports a bad one as a usage error naming the option. */
    static final class Converter implements ITypeConverter<MountArgument> {

        @Override
        public MountArgument convert(String value) {
            int colon = value.indexOf(':');
            String path = colon < 0 ? "" : value.substring(colon + 1);
            boolean readOnly = path.endsWith(":ro");
            if (readOnly || path.endsWith(":rw")) {
                path = path.substring(0, path.length() - 3);
            }
            if (colon <= 0 || !path.startsWith("/")) {
                throw new TypeConversionException("'" + value + "' is not a name and an absolute path, such as data:/data or data:/data:ro");
            }
            return new MountArgument(value.substring(0, colon), path, readOnly);
        }
    }
}
