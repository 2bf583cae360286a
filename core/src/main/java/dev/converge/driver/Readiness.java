package dev.converge.driver;

/** Whether a resource can serve its dependents yet; when not, {@code waitingFor} says for what ("neighbour 10.0.0.2 Full"). */
public record Readiness(boolean ready, String waitingFor) {

  public static final Readiness READY = new Readiness(true, "");

  public static Readiness waitingFor(String what) {
    return new Readiness(false, what);
  }
}
