package dev.converge.spec;

/**
 * A reference to another entity of the spec, as written in {@code requires:}: {@code host/NAME}, {@code jail/NAME},
 * {@code network/NAME}, {@code zone/NAME}, {@code image/NAME}, {@code file/HOST:PATH}, or {@code KIND/HOST:NAME} for
 * a generic resource.
 */
public record Reference(String kind, String name, Location location) {

  @Override
  public String toString() {
    return kind + "/" + name;
  }
}
