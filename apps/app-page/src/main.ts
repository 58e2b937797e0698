import './main.css';
import b24UiPlugin from '@bitrix24/b24ui-nuxt/vue-plugin';
import { createApp } from 'vue';
import App from './App.vue';
import { createApi } from './api';
import { readBoot } from './boot';
import { setLocale } from './i18n';

const boot = readBoot();
if (boot) {
  setLocale(boot.lang);
  const api = createApi({ session: boot.session, expiresAt: boot.sessionExpiresAt });
  createApp(App, { boot, api }).use(b24UiPlugin).mount('#app');
}
