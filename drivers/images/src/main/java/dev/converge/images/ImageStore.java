package dev.converge.images;

/**
 * Where images and jails live on a host: the layout the image drivers build and the jail drivers use, in one place.
 *
 * <p>An image build is {@code IMAGES/NAME/ID/} with its root filesystem in {@code root/} and its marker
 * {@code image.json} ({@code {"digest": …, "source": {…}, "bytes": N, "built": ISO-8601}}), written last so that a
 * half-built image has none. {@code IMAGES/NAME/current} is a symlink to the ID jails are built from. A jail's
 * {@code jail.json} names the image directory it runs on ({@code "image-dir"}), which keeps that build from being
 * pruned.
 *
 * <p>FreeBSD has the same layout below {@link #FREEBSD_IMAGES} (jails record theirs in {@link #FREEBSD_JAILS}), or,
 * when the host has the dataset {@code POOL/converge/images}, one dataset per build
 * ({@code POOL/converge/images/NAME/ID}, snapshot {@code @image} taken once the marker is written, so a clone is a
 * jail's copy of {@code root/} and the marker) mounted below that dataset's mountpoint; a jail then records the
 * build's mountpoint as its image directory.
 */
public final class ImageStore {

  /** Image builds on Linux hosts. */
  public static final String LINUX_IMAGES = "/var/lib/converge/images";
  /** Jails on Linux hosts: {@code NAME/{upper,work,root,jail.json,console.log}}. */
  public static final String LINUX_JAILS = "/var/lib/jails";
  /** Image builds on FreeBSD hosts without ZFS. */
  public static final String FREEBSD_IMAGES = "/usr/local/converge/images";
  /** The dataset below a ZFS pool holding image builds on FreeBSD: {@code POOL/converge/images/NAME/ID@image}. */
  public static final String FREEBSD_IMAGE_DATASET = "converge/images";
  /**
   * Jails on FreeBSD hosts: {@code NAME/jail.json} and {@code NAME/root}, the jail's root (a ZFS clone mounted there,
   * or a copy of the image's root), so that the record stays outside what the jail can write.
   */
  public static final String FREEBSD_JAILS = "/usr/local/converge/jails";
  /** The dataset below a ZFS pool holding jail roots on FreeBSD: {@code POOL/converge/jails/NAME}. */
  public static final String FREEBSD_JAIL_DATASET = "converge/jails";
  /** The marker file of a build. */
  public static final String MARKER = "image.json";
  /** The symlink naming the build new jails use. */
  public static final String CURRENT = "current";
  /** The file in a jail's directory that records its settings and image directory. */
  public static final String JAIL_RECORD = "jail.json";

  private static final int ID_LENGTH = 16;

  private ImageStore() {}

  /**
   * The directory name of the build with {@code digest} ({@code sha256:HEX}): the first 16 hex digits.
   *
   * @throws IllegalArgumentException when {@code digest} is not {@code sha256:} and 64 lowercase hex digits
   */
  public static String id(String digest) {
    if (!digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IllegalArgumentException("expected a digest `sha256:` and 64 hex digits, got `" + digest + "`");
    }
    return digest.substring("sha256:".length(), "sha256:".length() + ID_LENGTH);
  }

  /** {@code /usr/local/converge/images/NAME/ID} on FreeBSD (its root filesystem in {@code root/}). */
  public static String freebsdBuild(String image, String id) {
    return FREEBSD_IMAGES + "/" + image + "/" + id;
  }

  /** {@code /var/lib/converge/images/NAME/ID} on Linux. */
  public static String linuxBuild(String image, String digest) {
    return linuxImage(image) + "/" + id(digest);
  }

  /** {@code /var/lib/converge/images/NAME}: every build of one image, and its {@link #CURRENT} link. */
  public static String linuxImage(String image) {
    return LINUX_IMAGES + "/" + requireName(image);
  }

  /** {@code /usr/local/converge/images/NAME} on FreeBSD hosts without ZFS. */
  public static String freebsdImage(String image) {
    return FREEBSD_IMAGES + "/" + requireName(image);
  }

  /** {@code POOL/converge/images/NAME} on FreeBSD hosts with ZFS. */
  public static String freebsdImageDataset(String pool, String image) {
    return pool + "/" + FREEBSD_IMAGE_DATASET + "/" + requireName(image);
  }

  /**
   * {@code name} if it can be a directory name of its own: lowercase letters, digits, {@code .}, {@code _} and
   * {@code -}, starting with a letter or digit (no {@code /}, no {@code ..}).
   *
   * @throws IllegalArgumentException otherwise
   */
  public static String requireName(String name) {
    if (!name.matches("[a-z0-9][a-z0-9._-]{0,62}") || name.contains("..")) {
      throw new IllegalArgumentException("image name `" + name + "` is not lowercase letters, digits, `.`, `_`"
          + " and `-` starting with a letter or digit");
    }
    return name;
  }
}
