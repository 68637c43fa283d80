import { defineConfig } from "tsdown";
import { packageBuild } from "../../tsdown.base";

export default defineConfig(packageBuild());
