package dev.converge.resource;

/** What an action does to a resource, with the symbol plans print for it (Terraform's, plus {@code >} for move). */
public enum ChangeType {
  CREATE("+", "create"),
  UPDATE("~", "update"),
  REPLACE("-/+", "replace"),
  DELETE("-", "delete"),
  MOVE(">", "move");

  private final String symbol;
  private final String verb;

  ChangeType(String symbol, String verb) {
    this.symbol = symbol;
    this.verb = verb;
  }

  public String symbol() {
    return symbol;
  }

  public String verb() {
    return verb;
  }
}
