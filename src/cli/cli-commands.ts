import type { CommandModule } from 'yargs';
import { closeCommand, deferCommand, deleteCommand, reopenCommand, undeferCommand } from './commands/close-command';
import { commentCommand, commentsCommand } from './commands/comments-command';
import { createCommand } from './commands/create-command';
import { dashboardCommand } from './commands/dashboard-command';
import { daemonCommand, daemonEventCommand, eventsCommand } from './commands/daemon-command';
import { depCommand, labelCommand } from './commands/dep-command';
import { hooksCommand } from './commands/hooks-command';
import { initCommand } from './commands/init-command';
import { listCommand } from './commands/list-command';
import { mergeCommand } from './commands/merge-command';
import { countCommand, searchCommand, staleCommand } from './commands/query-commands';
import { blockedCommand, readyCommand, statsCommand } from './commands/ready-command';
import { renamePrefixCommand } from './commands/rename-prefix-command';
import { showCommand } from './commands/show-command';
import { exportCommand, importCommand } from './commands/sync-commands';
import { updateCommand } from './commands/update-command';
import {
  configCommand,
  epicCommand,
  infoCommand,
  versionCommand,
  whereCommand,
} from './commands/workspace-commands';

/** Every command, in the order `--help` lists them. */
export function cliCommands(): CommandModule<any, any>[] {
  return [
    initCommand,
    createCommand,
    listCommand,
    showCommand,
    updateCommand,
    closeCommand,
    reopenCommand,
    deleteCommand,
    deferCommand,
    undeferCommand,
    readyCommand,
    blockedCommand,
    searchCommand,
    countCommand,
    staleCommand,
    depCommand,
    labelCommand,
    commentsCommand,
    commentCommand,
    epicCommand,
    statsCommand,
    exportCommand,
    importCommand,
    configCommand,
    infoCommand,
    whereCommand,
    versionCommand,
    renamePrefixCommand,
    daemonCommand,
    daemonEventCommand,
    eventsCommand,
    mergeCommand,
    hooksCommand,
    dashboardCommand,
  ];
}
