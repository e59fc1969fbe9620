package io.asynqueue.remote.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.asynqueue.remote.Servers;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@link ServerManager} runs the {@code serve} command in child JVMs on its caller's class path, so what that command
 * needs must reach a user who depends on asynqueue-remote and adds nothing else. This runs ServerManager in a child
 * JVM whose class path lacks every dependency this module's pom declares optional or provided (what Maven does not
 * pass on to users): should picocli become one of them again, the server's JVM fails to start and so does this test.
 */
@Timeout(120)
final class ServerManagerClassPathTest {

  @TempDir
  Path dir;

  @Test
  void serverManager_runsServersOnTheClassPathAUserGets() throws Exception {
    Set<String> withheld = dependenciesNotPassedOn(Path.of("pom.xml"));
    assertThat(withheld).as("what users do not get").contains("org/slf4j/slf4j-simple/", "io/vertx/vertx-hazelcast/");
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> withheld.stream().noneMatch(entry.replace(File.separatorChar, '/')::contains))
        .collect(Collectors.joining(File.pathSeparator));
    Path secret = Servers.secretFile(dir);
    File err = dir.resolve("stderr.txt").toFile();
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", classPath, OnUsersClassPath.class.getName(),
        secret.toString()).redirectError(err).start();
    child.getOutputStream().close();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stderr = Files.readString(err.toPath());
    List<String> lines = out.lines().toList();
    assertThat(lines).as("stderr: %s", stderr).contains("slf4j-simple: absent", "remote call: 3");
    assertThat(lines).as("stderr: %s", stderr).anySatisfy(l -> assertThat(l)
        .startsWith("bad arguments: ").contains("exited with code 2 before listening"));
    assertThat(stderr).contains("asynqueue-remote serve: --service: no class 'no.such.Service'")
        .doesNotContain("NoClassDefFoundError");
    assertThat(child.exitValue()).isZero();
  }

  /**
   * @param pom a module's pom
   * @return {@code group/path/artifactId/}, as in a local repository's paths, of each dependency the pom declares
   *     optional or provided
   */
  static Set<String> dependenciesNotPassedOn(Path pom) throws Exception {
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    NodeList deps = (NodeList) XPathFactory.newInstance().newXPath()
        .evaluate("/project/dependencies/dependency", doc, XPathConstants.NODESET);
    Set<String> withheld = new HashSet<>();
    for (int i = 0; i < deps.getLength(); i++) {
      Element dep = (Element) deps.item(i);
      if ("true".equals(text(dep, "optional")) || "provided".equals(text(dep, "scope"))) {
        withheld.add(text(dep, "groupId").replace('.', '/') + "/" + text(dep, "artifactId") + "/");
      }
    }
    return withheld;
  }

  private static String text(Element parent, String child) {
    NodeList nodes = parent.getElementsByTagName(child);
    return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().strip();
  }
}
