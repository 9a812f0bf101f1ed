package io.perpetua.runtime.gvisor;

import java.nio.file.Path;
import java.util.List;

/**
 * What a sandbox's root is overlaid on, read-only: the default template (a fresh root over the
 * host's /usr), or an imported image. Every root gets the helpers at {@link DefaultTemplate#HELPERS}.
 */
interface RootFilesystem {

    /** The lower layers of a sandbox's root, top first. */
    List<Path> rootLayers();

    /** The lower layers of a sandbox's /usr, top first, mounted over the root's; none when the root has its own /usr. */
    List<Path> usrLayers();

    /** The host directory mounted read-only at {@link DefaultTemplate#HELPERS}. */
    Path helpers();
}
