package io.asynqueue.remote.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What {@code --version} prints for the project's command lines ({@code asynqueue-remote}, {@code mcm}): the root
 * command's name, the version from the build ({@code version.properties}, filtered by Maven) and the JVM.
 */
public final class VersionProvider implements IVersionProvider {

  /** The command whose version is asked; set by picocli. */
  @Spec
  CommandSpec spec;

  /** Made by picocli, for a command that names this class as its {@code versionProvider}. */
  public VersionProvider() {
  }

  /** @return the project's version, or "unknown" when the resource is missing */
  public static String version() {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("/io/asynqueue/remote/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown"
    }
    return p.getProperty("version", "unknown");
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      spec.root().name() + " " + version() + " (AsynQueue for Vert.x)",
      "Java " + System.getProperty("java.version") + ", " + System.getProperty("java.vm.name")
    };
  }
}
